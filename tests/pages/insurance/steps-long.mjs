// A longer visit to the insurance portal (tools/record-page/record.mjs runs it with
// --script), for the form recordings of tests/form_recordings.rs: the same page and
// the same kinds of moves as steps.mjs, but the person stays longer, searches the
// claims three times (correcting a typo in the first search), types the contact email with a
// mistake and corrects it, toggles the text-alert box, saves, changes the phone and
// saves again, then scrolls through the rest of the page and back. About 54 s.
import { keys, backspace, tab, clear } from '../keys.mjs';

export default async function ({ page, person }) {
  await person.read(600);
  await person.reveal('#profile dl');
  await person.read(600);
  await person.reveal('#members table');
  await person.click('#show-ssn');
  await person.read(400);
  // The claims table is rendered 700 ms after load; it is there by now, but wait for it.
  await page.waitForSelector('table.claims');
  await person.reveal('table.claims');
  await person.read(500);
  await person.type('#claim-search', 'CLM-2025-0015');
  await backspace(person, 3);
  await keys(person, '05377');
  await person.read(400);
  await clear(person, '#claim-search');
  await keys(person, 'Bayview Pediatrics');
  await person.read(400);
  await clear(person, '#claim-search');
  await keys(person, 'Riley Sample');
  await person.read(400);
  await person.type('#pref-email', 'jordan.sample+claims@mial.example.com');
  await backspace(person, 16);
  await keys(person, 'ail.example.com');
  await tab(person);
  await keys(person, '(415) 555-0166');
  await person.click('#pref-sms');
  await person.click('#pref-sms');
  await person.click('#pref-sms');
  await person.click('#save-prefs');
  await person.read(400);
  await clear(person, '#pref-phone');
  await keys(person, '415-555-0172');
  await person.click('#save-prefs');
  await person.reveal('#developer dl');
  await person.read(500);
  await person.click('#api-key-field');
  await person.reveal('#support .chat p:last-child');
  await person.read(600);
  // Back to the top in small wheel steps, as a trackpad scrolls.
  await person.wheel(-1200, 60);
  await person.read(300);
  await person.wheel(-1200, 60);
  await person.read(400);
}
