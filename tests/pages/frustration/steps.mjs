// What the person does on the product page (tools/record-page/record.mjs runs it, with
// --errors): reads, adds the jacket to the cart (works: the cart panel opens at once),
// rage-clicks "Check delivery dates" (#dead-button: 5 clicks ~150-300 ms apart within
// a few px), reads ~4 s, clicks "Buy now with QuickPay" once (#error-button: the page
// throws 'checkout failed'), reads ~4 s, clicks the dead button once more and waits
// 4.5 s without moving, thrashes the pointer across the photo for ~1.5 s, opens
// "Shipping & returns" (other.html) and comes straight back (a U-turn), reads, and
// leaves for thanks.html ("Request a free fabric sample") and stays. About 40 s.
// tests/data/pages/frustration.expected.json lists the signals this must give.

async function arrive(page, ready, file) {
  await page.waitForURL((u) => u.pathname.endsWith('/' + file));
  await ready();
}

export default async function ({ page, person, ready }) {
  await person.read(1500);
  await person.click('#working-button');
  await person.read(1500);

  // Rage click: nothing answers, so five quick clicks on the same spot.
  await person.clickBurst('#dead-button', 5);
  await person.read(4000);

  // One click; the handler throws.
  await person.click('#error-button');
  await person.read(4000);

  // A single dead click, then the person waits without touching anything.
  await person.click('#dead-button');
  await person.sleep(4500);

  // Thrashed cursor over the product photo.
  const photo = await page.locator('#gallery .photo').boundingBox();
  await person.thrash(photo.x + photo.width / 2, photo.y + photo.height / 2, { ms: 1500, width: 300, step: 50 });
  await person.read(800);

  // U-turn: to the help page and straight back.
  await person.click('#working-link');
  await arrive(page, ready, 'other.html');
  await person.pause(150, 300);
  await person.click('#back-link');
  await arrive(page, ready, 'index.html');
  await person.read(1500);
  await person.wheel(360);
  await person.read(1500);

  // A navigation that stays.
  await person.click('#thanks-link');
  await arrive(page, ready, 'thanks.html');
  await person.read(5500);
}
