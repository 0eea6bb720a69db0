// What the person does in the sign-up wizard (tools/record-page/record.mjs runs it):
// reads the intro, types an email, tries a taken username and changes it, sets a
// password but mistypes the confirmation, is stopped by "Next" and fixes it; on the
// profile step types a name and a birth date, writes a short bio (backspacing a
// word), picks a region, forgets the experience radio and is stopped again; on the
// preferences step ticks interests, changes the digest, sets an event
// date, forgets the terms, then reviews and creates the account. About 53 s.
import { keys, backspace, tab, choose } from '../keys.mjs';

export default async function ({ page, person }) {
  await person.read(300);
  // Step 1: account.
  await person.type('#email', 'sam.okafor@example.org');
  await tab(person);
  await keys(person, 'heron');
  await person.sleep(900); // the availability check answers: taken
  await backspace(person, 5);
  await keys(person, 'sam_okafor');
  await person.sleep(700);
  await person.type('#password', 'heron-marsh-2');
  await tab(person);
  await keys(person, 'heron-mash-2');
  await person.click('.step:not([hidden]) .next');
  await person.read(400);
  await backspace(person, 4);
  await keys(person, 'rsh-2');
  await tab(person);
  await person.click('.step:not([hidden]) .next');
  // Step 2: profile.
  await person.pause(400, 800);
  await person.type('#fullname', 'Sam Okafor');
  await tab(person);
  await keys(person, '07', 1.5);
  await keys(person, '22', 1.5);
  await keys(person, '1994', 1.5);
  await choose(person, '#region', 'Great Lakes');
  await person.type('#bio', 'Birder. Mostly warblers and');
  await backspace(person, 4);
  await keys(person, ' ferns.');
  await person.click('.step:not([hidden]) .next');
  await person.read(400);
  await person.click('input[name="level"][value="hobby"]');
  await person.click('.step:not([hidden]) .next');
  // Step 3: preferences.
  await person.pause(400, 800);
  await person.click('input[name="topic"][value="birds"]');
  await person.click('input[name="topic"][value="plants"]');
  await person.click('input[name="digest"][value="monthly"]');
  await person.click('#event-date');
  await page.keyboard.press('Home');
  await keys(person, '05', 1.5);
  await keys(person, '17', 1.5);
  await keys(person, '2026', 1.5);
  await person.click('.step:not([hidden]) .next');
  await person.read(600);
  await person.click('#terms');
  await person.click('.step:not([hidden]) .next');
  // Step 4: review.
  await person.read(700);
  await person.click('#create');
  await person.read(1000);
}
