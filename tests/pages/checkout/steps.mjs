// What the person does on the checkout (tools/record-page/record.mjs runs it): looks
// over the order, types an email with a typo, fills the address tabbing between fields,
// switches the country to Canada, gets a postal code wrong, tries a dead coupon and
// then a good one, picks express delivery, is stopped by "Continue" on the email, fixes
// it, and pays with a test card (one digit mistyped and corrected). About 53 s.
import { keys, backspace, tab, choose, clear } from '../keys.mjs';

export default async function ({ page, person }) {
  await person.read(800);
  await person.type('#email', 'jamie.rivera@example');
  await tab(person);
  await person.click('#news');
  await person.type('#first', 'Jamie');
  await tab(person);
  await keys(person, 'Rivera');
  await choose(person, '#country', 'CA');
  await person.type('#street', '1480 Hornby Stret');
  await backspace(person, 2);
  await keys(person, 'eet');
  await tab(person);
  await tab(person);
  await keys(person, 'Vancouver');
  await choose(person, '#region', 'BC');
  await person.type('#postal', 'V6Z 1W');
  await tab(person);
  await keys(person, '604 555 0187');
  await person.read(400);
  await person.type('#coupon', 'SAVE20');
  await person.click('#apply-coupon');
  await person.read(600);
  await clear(person, '#coupon');
  await keys(person, 'LARK15');
  await person.click('#apply-coupon');
  await person.read(400);
  await person.click('input[name="ship"][value="express"]');
  await person.click('#to-payment');
  await person.read(600);
  // The page moved focus to the first bad field: the email.
  await person.click('#email');
  await page.keyboard.press('End');
  await keys(person, '.com');
  await tab(person);
  await person.click('#postal');
  await page.keyboard.press('End');
  await keys(person, '3');
  await person.click('#to-payment');
  await person.pause(500, 900);
  await keys(person, '4242 4242 4243');
  await backspace(person, 1);
  await keys(person, '2 4242');
  await tab(person);
  await keys(person, '0829', 1.4);
  await tab(person);
  await keys(person, '317', 1.4);
  await tab(person);
  await keys(person, 'Jamie Rivera');
  await person.read(300);
  await person.click('#place-order');
  await person.read(1500);
}
