// Small behaviours that change the page while it is recorded: a dropdown, the cookie
// banner, validation on save, a confirmation dialog, items added to a cart.
const $ = (s) => document.querySelector(s);
$('#account-menu').addEventListener('click', (e) => {
  const menu = e.currentTarget.nextElementSibling;
  const open = menu.classList.toggle('show');
  e.currentTarget.setAttribute('aria-expanded', String(open));
});
$('#accept-cookies').addEventListener('click', () => { $('#cookie-banner').remove(); });
for (const b of document.querySelectorAll('.add-to-cart')) {
  b.addEventListener('click', () => {
    b.textContent = 'Added';
    b.classList.replace('btn-primary', 'btn-secondary');
    b.disabled = true;
  });
}
$('#contact-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const email = $('#email');
  const ok = /.+@.+\..+/.test(email.value);
  email.classList.toggle('is-invalid', !ok);
  email.nextElementSibling.nextElementSibling.style.display = ok ? 'none' : 'block';
  if (ok) {
    const m = $('#confirm');
    m.style.display = 'block';
    m.setAttribute('aria-hidden', 'false');
  }
});
$('#confirm [data-dismiss]').addEventListener('click', () => {
  const m = $('#confirm');
  m.style.display = 'none';
  m.setAttribute('aria-hidden', 'true');
});
