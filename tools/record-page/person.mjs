// A scripted person on top of Playwright's mouse and keyboard: curved pointer paths,
// clicks at a random point inside the target, typing with per-key jitter, wheel
// scrolling in notches. A seeded generator makes the moves the same on every run (the
// timing, and so the exact event stream, still varies).

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}

export class Person {
  constructor(page, seed = 1) {
    this.page = page;
    this.random = rng(seed);
    this.x = 400;
    this.y = 300;
  }

  rand(a, b) { return a + (b - a) * this.random(); }
  sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
  pause(a = 150, b = 450) { return this.sleep(this.rand(a, b)); }

  // Along a bent path to (x, y), ~40 ms per slice, longer for longer distances.
  async moveTo(x, y) {
    const x0 = this.x, y0 = this.y;
    const dist = Math.hypot(x - x0, y - y0);
    if (dist < 1) return;
    const slices = Math.max(2, Math.round((120 + dist * 0.6) / 40));
    const bend = this.rand(-0.2, 0.2) * Math.min(dist, 400);
    const cx = (x0 + x) / 2 - ((y - y0) / dist) * bend, cy = (y0 + y) / 2 + ((x - x0) / dist) * bend;
    for (let i = 1; i <= slices; i++) {
      let t = i / slices;
      t = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
      await this.page.mouse.move(
        (1 - t) * (1 - t) * x0 + 2 * (1 - t) * t * cx + t * t * x,
        (1 - t) * (1 - t) * y0 + 2 * (1 - t) * t * cy + t * t * y,
        { steps: 2 },
      );
      await this.sleep(this.rand(25, 45));
    }
    this.x = x; this.y = y;
  }

  async wheel(dy, notch = 120) {
    const n = Math.max(1, Math.round(Math.abs(dy) / notch));
    for (let i = 0; i < n; i++) {
      await this.page.mouse.wheel(0, dy / n);
      await this.sleep(this.rand(40, 110));
    }
    await this.sleep(150);
  }

  // Wheel-scrolls until the target's box is inside the viewport.
  async reveal(target) {
    const loc = typeof target === 'string' ? this.page.locator(target).first() : target;
    const vp = this.page.viewportSize();
    for (let tries = 0; tries < 30; tries++) {
      const box = await loc.boundingBox();
      if (!box) throw new Error(`not on the page: ${target}`);
      if (box.y >= 60 && box.y + box.height <= vp.height - 40) return box;
      const dy = box.y < 60 ? Math.max(-480, box.y - 120) : Math.min(480, box.y + box.height - vp.height + 160);
      await this.wheel(dy);
    }
    throw new Error(`could not scroll to ${target}`);
  }

  async click(target) {
    const box = await this.reveal(target);
    await this.moveTo(box.x + box.width * this.rand(0.3, 0.7), box.y + box.height * this.rand(0.3, 0.7));
    await this.pause(80, 220);
    await this.page.mouse.down();
    await this.sleep(this.rand(50, 110));
    await this.page.mouse.up();
    await this.pause();
  }

  // Clicks `n` times in quick succession at nearly the same point of the target, as
  // an impatient person does on something that does not answer: one move there, then
  // a click every `gap` ms or so (each within `jitter` px of the first).
  async clickBurst(target, n, { gap = [120, 220], jitter = 3 } = {}) {
    const box = await this.reveal(target);
    const x = box.x + box.width * this.rand(0.35, 0.65), y = box.y + box.height * this.rand(0.35, 0.65);
    await this.moveTo(x, y);
    await this.pause(80, 220);
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        await this.sleep(this.rand(gap[0], gap[1]));
        const px = x + this.rand(-jitter, jitter), py = y + this.rand(-jitter, jitter);
        await this.page.mouse.move(px, py);
        this.x = px; this.y = py;
      }
      await this.page.mouse.down();
      await this.sleep(this.rand(40, 70));
      await this.page.mouse.up();
    }
    await this.pause();
  }

  // Thrashes the pointer: fast zig-zags left and right across a band `width` px wide
  // centred at (cx, cy), each leg in a few moves about `step` ms apart, for about `ms`.
  async thrash(cx, cy, { ms = 1500, width = 300, step = 50, moves = 3 } = {}) {
    await this.moveTo(cx - width / 2, cy);
    const end = Date.now() + ms;
    let dir = 1;
    while (Date.now() < end) {
      const x0 = this.x, y0 = this.y;
      const x1 = cx + dir * (width / 2) * this.rand(0.8, 1), y1 = cy + this.rand(-25, 25);
      for (let i = 1; i <= moves; i++) {
        await this.page.mouse.move(x0 + (x1 - x0) * i / moves, y0 + (y1 - y0) * i / moves);
        await this.sleep(this.rand(step * 0.8, step * 1.2));
      }
      this.x = x1; this.y = y1;
      dir = -dir;
    }
  }

  async type(target, text) {
    await this.click(target);
    for (const ch of text) {
      await this.page.keyboard.type(ch);
      await this.sleep(this.rand(45, 140));
    }
    await this.pause();
  }

  // Reads for a while: small moves over the visible page.
  async read(ms) {
    const vp = this.page.viewportSize();
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await this.moveTo(this.rand(60, vp.width - 60), this.rand(80, vp.height - 60));
      await this.pause(200, 600);
    }
  }
}
