// A calm visit to the product page (record.mjs --script, with --errors so that an error
// would be recorded if there were one): the person reads, adds the jacket to the cart
// once, scrolls down through the details and reviews and back up, follows "Request a
// free fabric sample" to thanks.html and reads there. Only working controls, no
// repeated clicks, no error, no thrashing, no navigation undone: no frustration signal
// at all. About 30 s.

export default async function ({ page, person, ready }) {
  await person.read(3000);
  await person.click('#working-button');
  await person.read(2500);
  await person.wheel(480);
  await person.read(3000);
  await person.wheel(360);
  await person.read(3000);
  await person.wheel(-840);
  await person.read(2500);
  await person.click('#thanks-link');
  await page.waitForURL((u) => u.pathname.endsWith('/thanks.html'));
  await ready();
  await person.read(3000);
  await person.wheel(240);
  await person.read(3500);
}
