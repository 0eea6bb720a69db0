// Keyboard moves the form pages' steps share, on top of tools/record-page's Person:
// typing into whatever has focus (after a Tab), backspacing a mistake, tabbing on, and
// choosing in a select the way a person does (click it, then pick). The pauses come
// from the person's seeded generator, like its own moves.

// Types `text` into the focused element a key at a time; a space or a punctuation key
// sometimes takes a little longer, as when a person looks at the keys.
export async function keys(person, text, slow = 1) {
  for (const ch of text) {
    await person.page.keyboard.type(ch);
    const extra = /[\s@.\-/]/.test(ch) && person.random() < 0.4 ? person.rand(120, 380) : 0;
    await person.sleep(slow * person.rand(55, 160) + extra);
  }
}

// Deletes `n` characters before the caret, a key at a time.
export async function backspace(person, n) {
  await person.pause(250, 600); // noticing the mistake
  for (let i = 0; i < n; i++) {
    await person.page.keyboard.press('Backspace');
    await person.sleep(person.rand(60, 140));
  }
  await person.pause(120, 300);
}

// Moves focus on with Tab (Shift+Tab when `back`).
export async function tab(person, back = false) {
  await person.pause(120, 350);
  await person.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  await person.pause(150, 400);
}

// Opens a select with the pointer and picks `value`.
export async function choose(person, selector, value) {
  await person.click(selector);
  await person.pause(300, 700);
  await person.page.selectOption(selector, value);
  await person.pause(200, 500);
}

// Clicks into a field, then empties it the way a person does: select all, delete.
export async function clear(person, selector) {
  await person.click(selector);
  await person.page.keyboard.press('ControlOrMeta+a');
  await person.sleep(person.rand(100, 250));
  await person.page.keyboard.press('Backspace');
  await person.pause(150, 350);
}
