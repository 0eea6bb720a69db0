// The ready-made player page: plays ?src=URL, or a file dropped on the page.
(async function () {
  const drop = document.getElementById('drop');
  const box = document.getElementById('player');
  const error = document.getElementById('error');
  const params = new URLSearchParams(location.search);
  let player = null;
  function show(bytes) {
    try {
      if (player) player.destroy();
      player = new SessionReplay.Player(box, { bytes }, {
        resources: params.get('resources') === 'allow' ? 'allow' : 'block',
        autoplay: params.has('autoplay'),
      });
      window.player = player;
      box.hidden = false;
      drop.hidden = true;
      box.querySelector('.srp').focus();
    } catch (e) {
      error.textContent = `Could not play this recording: ${e.message || e}`;
    }
  }
  await SessionReplay.ready;
  const src = params.get('src');
  if (src) {
    try {
      const res = await fetch(src);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      show(new Uint8Array(await res.arrayBuffer()));
    } catch (e) {
      error.textContent = `Could not load ${src}: ${e.message || e}`;
    }
  }
  for (const el of [document.body]) {
    el.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    el.addEventListener('dragleave', () => drop.classList.remove('over'));
    el.addEventListener('drop', async (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const file = e.dataTransfer.files[0];
      if (file) show(new Uint8Array(await file.arrayBuffer()));
    });
  }
  window.playerReady = true;
})();
