// The portal's behaviour: what arrives after load, so that a recording holds mutations
// (added subtrees, text changes) and not just the first snapshot.
(function () {
  'use strict';

  // Claims arrive "from the server" a moment after load: a table with a DOB column
  // beside date columns that are not birth dates, and a reimbursement line whose IBAN
  // (the member's previous account) the page sets in two spans.
  var CLAIMS = [
    ['CLM-2025-004817', 'Jordan Sample', '03/14/1986', '08/14/2025', '08/21/2025', '1234567893', 'J06.9', '$1,234.56', '$987.65', '$246.91', 'Paid'],
    ['CLM-2025-005102', 'Riley Sample', '05/09/2015', '09/02/2025', '09/05/2025', '1457389025', 'S93.401A', '$380.00', '$304.00', '$76.00', 'Processed'],
    ['CLM-2025-005377', 'Casey Sample', '07/19/1988', '10/07/2025', '10/09/2025', '1682039478', 'E11.9', '$2,410.00', '$1,928.00', '$482.00', 'In review'],
  ];
  var HEAD = ['Claim', 'Patient', 'Patient DOB', 'Date of service', 'Received', 'Provider NPI', 'Diagnosis (ICD-10)', 'Billed', 'Plan paid', 'You owe', 'Status'];

  function cell(tag, text) {
    var c = document.createElement(tag);
    c.textContent = text;
    return c;
  }

  function renderClaims() {
    var table = document.createElement('table');
    table.className = 'claims';
    var thead = table.createTHead().insertRow();
    HEAD.forEach(function (h) { thead.appendChild(cell('th', h)); });
    var body = table.createTBody();
    CLAIMS.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (v) { tr.appendChild(cell('td', v)); });
    });
    var paid = document.createElement('p');
    paid.appendChild(document.createTextNode('Reimbursement for CLM-2025-004817 sent to your previous account '));
    ['de29 1001 0010', '0987 6543 21'].forEach(function (part, i) {
      if (i) paid.appendChild(document.createTextNode(' '));
      paid.appendChild(cell('span', part)).className = 'acct';
    });
    paid.appendChild(document.createTextNode(' on 08/28/2025.'));
    // The first claim's details, as label and value pairs.
    var detail = document.createElement('dl');
    detail.className = 'detail';
    [['Claim', 'CLM-2025-005102'], ['Patient', 'Riley Sample'], ['Date of birth', '2015-05-09'],
      ['Date of service', '2025-09-02'], ['Rendering provider', 'Bayview Pediatrics, NPI 1457389025']].forEach(function (kv) {
      detail.appendChild(cell('dt', kv[0]));
      detail.appendChild(cell('dd', kv[1]));
    });
    var list = document.getElementById('claims-list');
    list.appendChild(table);
    list.appendChild(detail);
    list.appendChild(paid);
    document.getElementById('claims-loading').textContent = '3 claims in the last 90 days';
  }
  setTimeout(renderClaims, 700);

  // "Show full SSN" puts the hidden digits into the text node that held the bullets (a
  // text change, as frameworks make it); the last four digits were on the page from
  // the start, in a span of their own.
  document.getElementById('show-ssn').addEventListener('click', function (e) {
    document.getElementById('riley-ssn-head').firstChild.data = '456-78-';
    e.target.textContent = 'Hide';
    e.target.disabled = true;
  });

  document.getElementById('prefs').addEventListener('submit', function (e) {
    e.preventDefault();
    document.getElementById('prefs-status').textContent = 'Saved.';
  });
})();
