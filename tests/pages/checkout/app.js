// The checkout's behaviour: fields are checked when left and again on "Continue", the
// country select rebuilds the region list and renames the postal field, the delivery
// choice, the region and a coupon change the totals, the card number is grouped as it
// is typed, and "Place order" locks the button and reports. All of it is DOM updates a
// recording has to carry as mutations.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var SUBTOTAL = 227.0;
  var REGIONS = {
    US: { label: 'State', postal: 'ZIP code', re: /^\d{5}(-\d{4})?$/, list: [['CA', 'California'], ['OR', 'Oregon'], ['WA', 'Washington'], ['NV', 'Nevada'], ['AZ', 'Arizona'], ['CO', 'Colorado'], ['NY', 'New York'], ['TX', 'Texas']] },
    CA: { label: 'Province', postal: 'Postal code', re: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i, list: [['BC', 'British Columbia'], ['AB', 'Alberta'], ['ON', 'Ontario'], ['QC', 'Quebec']] },
    GB: { label: 'County', postal: 'Postcode', re: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i, list: [['LND', 'Greater London'], ['KEN', 'Kent'], ['OXF', 'Oxfordshire']] },
    DE: { label: 'State', postal: 'Postleitzahl', re: /^\d{5}$/, list: [['BE', 'Berlin'], ['BY', 'Bayern'], ['HH', 'Hamburg']] },
    FR: { label: 'Region', postal: 'Code postal', re: /^\d{5}$/, list: [['IDF', 'Île-de-France'], ['ARA', 'Auvergne-Rhône-Alpes'], ['PAC', "Provence-Alpes-Côte d'Azur"]] },
    NL: { label: 'Province', postal: 'Postcode', re: /^\d{4} ?[A-Z]{2}$/i, list: [['NH', 'Noord-Holland'], ['ZH', 'Zuid-Holland'], ['UT', 'Utrecht']] },
    AU: { label: 'State', postal: 'Postcode', re: /^\d{4}$/, list: [['NSW', 'New South Wales'], ['VIC', 'Victoria'], ['QLD', 'Queensland']] },
  };
  var TAX = { CA: 0.0725, OR: 0, WA: 0.065, NV: 0.0685, AZ: 0.056, CO: 0.029, NY: 0.04, TX: 0.0625 };
  var COUPONS = { LARK15: 0.15, WELCOME10: 0.1 };
  var discountRate = 0;

  function money(n) { return '$' + n.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

  function showError(input, message) {
    var err = $(input.id + '-error');
    input.classList.toggle('invalid', !!message);
    input.classList.toggle('valid', !message && input.value !== '');
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    if (!err) return !message;
    err.hidden = !message;
    err.textContent = message || '';
    return !message;
  }

  var CHECKS = {
    email: function (v) {
      if (!v) return 'Enter an email address.';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(v)) return 'Enter an email address like name@example.com.';
      return '';
    },
    first: function (v) { return v ? '' : 'Enter a first name.'; },
    last: function (v) { return v ? '' : 'Enter a last name.'; },
    street: function (v) { return v.length >= 4 ? '' : 'Enter a street address.'; },
    city: function (v) { return v ? '' : 'Enter a city.'; },
    postal: function (v) {
      var r = REGIONS[$('country').value];
      if (!v) return 'Enter a ' + r.postal.toLowerCase() + '.';
      return r.re.test(v.trim()) ? '' : 'Enter a valid ' + r.postal.toLowerCase() + ' for ' + $('country').selectedOptions[0].textContent + '.';
    },
    card: function (v) {
      var d = v.replace(/\s/g, '');
      if (d.length < 15) return 'Your card number is incomplete.';
      return luhn(d) ? '' : 'Your card number is invalid.';
    },
    exp: function (v) {
      var m = /^(\d{2})\s*\/\s*(\d{2})$/.exec(v);
      if (!m) return 'Enter the expiry as MM/YY.';
      var month = +m[1], year = 2000 + +m[2];
      if (month < 1 || month > 12) return 'That month does not exist.';
      if (year < 2025 || (year === 2025 && month < 11)) return 'Your card has expired.';
      return '';
    },
    cvc: function (v) { return /^\d{3,4}$/.test(v) ? '' : 'Enter the 3 or 4 digits on the back.'; },
  };

  function luhn(d) {
    var sum = 0;
    for (var i = 0; i < d.length; i++) {
      var n = +d[d.length - 1 - i];
      if (i % 2) { n *= 2; if (n > 9) n -= 9; }
      sum += n;
    }
    return sum % 10 === 0;
  }

  function check(id) {
    var input = $(id);
    return showError(input, CHECKS[id](input.value.trim()));
  }

  Object.keys(CHECKS).forEach(function (id) {
    var input = $(id);
    // Checked when left; once wrong, checked on every key so the message goes as soon
    // as the value is right (what most shops do).
    input.addEventListener('blur', function () { if (input.value) check(id); });
    input.addEventListener('input', function () { if (input.classList.contains('invalid')) check(id); });
  });

  function fillRegions() {
    var r = REGIONS[$('country').value];
    var select = $('region');
    while (select.firstChild) select.removeChild(select.firstChild);
    r.list.forEach(function (pair) {
      var o = document.createElement('option');
      o.value = pair[0];
      o.textContent = pair[1];
      select.appendChild(o);
    });
    $('region-label').textContent = r.label;
    $('postal-label').textContent = r.postal;
    $('postal').setAttribute('inputmode', /\d/.test(r.re.source.charAt(1)) ? 'numeric' : 'text');
    if ($('postal').value) check('postal');
    totals();
  }
  $('country').addEventListener('change', fillRegions);
  $('region').addEventListener('change', totals);

  function shipping() {
    var chosen = document.querySelector('input[name="ship"]:checked');
    document.querySelectorAll('.method').forEach(function (m) {
      m.classList.toggle('selected', m.contains(chosen));
    });
    return +chosen.getAttribute('data-price');
  }
  document.querySelectorAll('input[name="ship"]').forEach(function (r) { r.addEventListener('change', totals); });

  function totals() {
    var ship = shipping();
    var discount = SUBTOTAL * discountRate;
    var rate = $('country').value === 'US' ? (TAX[$('region').value] || 0) : 0;
    var tax = (SUBTOTAL - discount) * rate;
    $('discount').textContent = discount ? '−' + money(discount) : '—';
    $('shipping-cost').textContent = ship ? money(ship) : 'Free';
    $('tax').textContent = money(tax);
    $('total').textContent = money(SUBTOTAL - discount + ship + tax);
  }

  $('apply-coupon').addEventListener('click', function () {
    var code = $('coupon').value.trim().toUpperCase();
    var err = $('coupon-error'), ok = $('coupon-applied');
    if (!COUPONS[code]) {
      err.hidden = false;
      err.textContent = code ? 'The code ' + code + ' is not valid or has expired.' : 'Enter a code.';
      ok.hidden = true;
      $('coupon').classList.add('invalid');
      discountRate = 0;
    } else {
      err.hidden = true;
      $('coupon').classList.remove('invalid');
      discountRate = COUPONS[code];
      ok.hidden = false;
      ok.textContent = code + ' applied: ' + Math.round(discountRate * 100) + '% off your order.';
    }
    totals();
  });

  // The card number is grouped in fours as it is typed, and the brand lights up.
  $('card').addEventListener('input', function (e) {
    var input = e.target;
    var digits = input.value.replace(/\D/g, '').slice(0, 16);
    var grouped = digits.replace(/(\d{4})(?=\d)/g, '$1 ');
    if (grouped !== input.value) input.value = grouped;
    var brand = /^4/.test(digits) ? 'visa' : /^5[1-5]/.test(digits) ? 'mc' : /^3[47]/.test(digits) ? 'amex' : '';
    document.querySelectorAll('.cards .brand').forEach(function (b) { b.classList.toggle('on', !!brand && b.classList.contains(brand)); });
  });
  $('exp').addEventListener('input', function (e) {
    var d = e.target.value.replace(/\D/g, '').slice(0, 4);
    var v = d.length > 2 ? d.slice(0, 2) + '/' + d.slice(2) : d;
    if (v !== e.target.value && !(e.inputType || '').startsWith('delete')) e.target.value = v;
  });

  $('to-payment').addEventListener('click', function () {
    var ok = ['email', 'first', 'last', 'street', 'city', 'postal'].map(check).every(Boolean);
    if (!ok) {
      var first = document.querySelector('#contact .invalid, #shipping .invalid');
      if (first) first.focus();
      return;
    }
    $('payment').classList.remove('locked');
    $('step-shipping').className = 'done';
    $('step-payment').className = 'current';
    $('to-payment').textContent = 'Shipping saved ✓';
    $('card').focus();
  });

  $('place-order').addEventListener('click', function () {
    var ok = ['card', 'exp', 'cvc'].map(check).every(Boolean);
    var status = $('order-status');
    if (!ok) { status.className = 'status'; status.textContent = 'Check the card details above.'; return; }
    var btn = $('place-order');
    btn.disabled = true;
    btn.textContent = 'Placing order…';
    status.textContent = '';
    setTimeout(function () {
      btn.textContent = 'Order placed';
      status.className = 'status ok';
      status.textContent = 'Thank you! Order LO-48213 is confirmed. A receipt is on its way to ' + $('email').value + '.';
    }, 1200);
  });

  fillRegions();
})();
