// The wizard's behaviour: each step is checked before the next is shown, fields say
// what is wrong beside them (and say so again as they are fixed), the username is
// "checked for availability" after a pause, the password meter and the bio counter
// follow each key, checked interests light up, and the last step lists the answers.
// Step switching, messages and the review are the DOM updates a recording carries.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var form = $('signup');
  var TAKEN = ['birder', 'jrivera', 'heron', 'admin', 'sam_lee'];

  function say(id, text, state) {
    var msg = $(id + '-msg');
    var field = msg.closest('.field') || msg;
    msg.textContent = text;
    field.classList.toggle('bad', state === 'bad');
    field.classList.toggle('good', state === 'good');
    if (msg === field) msg.classList.toggle('bad', state === 'bad');
    return state !== 'bad';
  }

  var checks = {
    email: function () {
      var v = $('email').value.trim();
      if (!v) return say('email', 'Enter your email.', 'bad');
      if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(v)) return say('email', 'That does not look like an email address.', 'bad');
      return say('email', '', 'good');
    },
    username: function () {
      var v = $('username').value.trim();
      if (!/^[A-Za-z0-9_]{3,20}$/.test(v)) return say('username', '3-20 letters, digits or underscores.', 'bad');
      if (TAKEN.indexOf(v.toLowerCase()) >= 0) return say('username', '@' + v + ' is taken. Try another.', 'bad');
      return say('username', '@' + v + ' is available.', 'good');
    },
    password: function () {
      var v = $('password').value;
      if (v.length < 10 || !/\d/.test(v)) return say('password', 'At least 10 characters, with a number.', 'bad');
      return say('password', 'Strong enough.', 'good');
    },
    confirm: function () {
      if (!$('confirm').value) return say('confirm', 'Type the password again.', 'bad');
      if ($('confirm').value !== $('password').value) return say('confirm', 'The passwords do not match.', 'bad');
      return say('confirm', 'Passwords match.', 'good');
    },
    fullname: function () {
      return $('fullname').value.trim().length >= 2 ? say('fullname', '', 'good') : say('fullname', 'Enter the name other members will see.', 'bad');
    },
    birth: function () {
      var v = $('birth').value;
      if (!v) return say('birth', 'Enter your date of birth.', 'bad');
      var age = (new Date('2025-11-01') - new Date(v)) / (365.25 * 864e5);
      if (age < 13) return say('birth', 'You must be 13 or older.', 'bad');
      return say('birth', '', 'good');
    },
    level: function () {
      return form.level.value ? say('level', '', 'good') : say('level', 'Choose one.', 'bad');
    },
    topic: function () {
      var n = form.querySelectorAll('input[name="topic"]:checked').length;
      return n ? say('topic', n + ' selected.', 'good') : say('topic', 'Pick at least one.', 'bad');
    },
    terms: function () {
      return $('terms').checked ? say('terms', '', 'good') : say('terms', 'Please accept the guidelines to continue.', 'bad');
    },
  };
  var STEP_FIELDS = { 1: ['email', 'username', 'password', 'confirm'], 2: ['fullname', 'birth', 'level'], 3: ['topic', 'terms'] };

  // A field that was wrong is checked again on each change, so its message clears as
  // soon as it is right; others are checked when left.
  ['email', 'password', 'confirm', 'fullname', 'birth'].forEach(function (id) {
    $(id).addEventListener('blur', function () { if ($(id).value) checks[id](); });
    $(id).addEventListener('input', function () { if ($(id).closest('.field').classList.contains('bad')) checks[id](); });
  });
  var pending;
  $('username').addEventListener('input', function () {
    clearTimeout(pending);
    say('username', 'Checking…', '');
    pending = setTimeout(checks.username, 600);
  });
  form.querySelectorAll('input[name="level"]').forEach(function (r) { r.addEventListener('change', checks.level); });
  form.querySelectorAll('input[name="topic"]').forEach(function (c) {
    c.addEventListener('change', function () {
      c.parentNode.classList.toggle('on', c.checked);
      checks.topic();
    });
  });
  $('terms').addEventListener('change', checks.terms);

  $('password').addEventListener('input', function () {
    var v = $('password').value, score = 0;
    if (v.length >= 6) score++;
    if (v.length >= 10) score++;
    if (/\d/.test(v) && /[A-Za-z]/.test(v)) score++;
    if (/[^A-Za-z0-9]/.test(v) || /[A-Z]/.test(v)) score++;
    document.querySelector('.meter').setAttribute('data-score', v ? String(score) : '0');
  });
  $('bio').addEventListener('input', function () {
    $('bio-count').textContent = $('bio').value.length + ' / 160';
  });

  var current = 1;
  function show(n) {
    for (var i = 1; i <= 4; i++) $('step-' + i).hidden = i !== n;
    document.querySelectorAll('#steps li').forEach(function (li) {
      var s = +li.getAttribute('data-step');
      li.className = s === n ? 'active' : s < n ? 'done' : '';
    });
    $('fill').style.width = (n * 25) + '%';
    if (n === 4) review();
    current = n;
    window.scrollTo(0, 0);
  }

  function review() {
    var dl = $('review');
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    var topics = Array.prototype.map.call(form.querySelectorAll('input[name="topic"]:checked'), function (c) { return c.parentNode.textContent.trim(); });
    var level = form.querySelector('input[name="level"]:checked');
    [['Email', $('email').value], ['Username', '@' + $('username').value], ['Display name', $('fullname').value],
      ['Date of birth', $('birth').value], ['Experience', level ? level.parentNode.querySelector('b').textContent : ''],
      ['Region', $('region').value || 'Not given'], ['About you', $('bio').value || 'Not given'],
      ['Interests', topics.join(', ')], ['Digest', form.digest.value], ['Next event', $('event-date').value || 'Not given']].forEach(function (kv) {
      var dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = kv[0];
      dd.textContent = kv[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
  }

  form.addEventListener('click', function (e) {
    var go = e.target.getAttribute && e.target.getAttribute('data-go');
    if (!go) return;
    go = +go;
    if (go > current) {
      var ok = STEP_FIELDS[current].map(function (id) { return checks[id](); }).every(Boolean);
      if (!ok) {
        var btn = e.target;
        btn.classList.remove('shake');
        void btn.offsetWidth;
        btn.classList.add('shake');
        var bad = $('step-' + current).querySelector('.bad input, .bad select');
        if (bad) bad.focus();
        return;
      }
    }
    show(go);
  });

  $('create').addEventListener('click', function () {
    var btn = $('create');
    btn.disabled = true;
    btn.textContent = 'Creating…';
    setTimeout(function () {
      btn.textContent = 'Account created';
      $('done').hidden = false;
      $('done').textContent = 'Welcome, ' + $('fullname').value + '! We sent a confirmation link to ' + $('email').value + '.';
    }, 1000);
  });
})();
