// Larkspur product page: "Add to cart" adds a line to the cart panel at once and
// updates the count; "Buy now with QuickPay" calls a payment start that throws (the
// error the recordings must hold), and changes nothing else. "Check delivery dates" has
// no handler at all. Nothing here runs on a timer.
(function () {
  'use strict';
  var PRICE = 148;
  var count = 0;
  var button = document.getElementById('working-button');
  var panel = document.getElementById('cart-panel');
  var list = document.getElementById('cart-list');

  button.addEventListener('click', function () {
    count += 1;
    var li = document.createElement('li');
    li.textContent = 'Trailhead Rain Shell · Fern · M — $' + PRICE.toFixed(2);
    list.appendChild(li);
    panel.hidden = false;
    document.getElementById('cart-count').textContent = String(count);
    document.getElementById('cart-subtotal').textContent = '$' + (count * PRICE).toFixed(2);
    button.textContent = 'Added ✓ Add another';
  });
})();

// The QuickPay button's inline handler calls this; the payment widget it expects was
// never loaded, so it fails before touching the page.
function startQuickPay() {
  var widget = window.QuickPay;
  if (!widget) throw new Error('checkout failed');
  widget.open({ amount: 14800, currency: 'USD' });
}
