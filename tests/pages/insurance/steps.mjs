// What the person does on the insurance portal while rrweb records
// (tools/record-page/record.mjs runs it): reads the plan and the profile, reveals the
// child's SSN, searches the claims that arrived after load, types an email and a phone
// number into the contact preferences, saves, and reads the developer panel and the
// support chat.
export default async function ({ page, person }) {
  await person.read(900);
  await person.reveal('#profile dl');
  await person.read(700);
  await person.click('#show-ssn');
  // The claims table is rendered 700 ms after load; it is there by now, but wait for it.
  await page.waitForSelector('table.claims');
  await person.type('#claim-search', 'CLM-2025-005102');
  await person.type('#pref-email', 'jordan.sample+alerts@mail.example.com');
  await person.type('#pref-phone', '(415) 555-0166');
  await person.click('#pref-sms');
  await person.click('#save-prefs');
  await person.reveal('#developer dl');
  await person.read(600);
  await person.reveal('#support .chat p:last-child');
  await person.read(700);
  await person.wheel(-1800);
}
