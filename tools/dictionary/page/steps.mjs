// A short visit: reads, opens and closes the account menu, accepts cookies, adds an
// item to the cart, fills the contact form (first with a bad email) and saves. The
// header and the cookie banner are fixed, so they are clicked where they are, without
// scrolling to them.
export default async function ({ page, person }) {
  const press = async (selector) => {
    const box = await page.locator(selector).first().boundingBox();
    await person.moveTo(box.x + box.width / 2, box.y + box.height / 2);
    await person.sleep(120);
    await page.mouse.down();
    await person.sleep(80);
    await page.mouse.up();
    await person.sleep(300);
  };
  await person.read(600);
  await press('#account-menu');
  await press('#account-menu');
  await press('#accept-cookies');
  await person.click('.add-to-cart[data-id="1001"]');
  await person.type('#first-name', 'Alex');
  await person.type('#last-name', 'Morgan');
  await person.type('#email', 'alex.example');
  await person.click('#save');
  await person.type('#email', '@example.com');
  await person.click('#save');
  await press('#confirm [data-dismiss]');
  await person.read(400);
}
