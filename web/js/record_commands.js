// The buffer that carries the recorder's observations to the wasm `Recording` as
// commands: numbers in one Float64Array and strings in one joined string, one copy per
// slice (see web/src/recorder.rs for the command table).

/* exported CommandBuffer */

// Numbers and strings waiting for the wasm, in command order.
class CommandBuffer {
  constructor() {
    this.nums = [];
    this.strs = [];
  }
  n(x) {
    this.nums.push(x);
  }
  s(str) {
    this.nums.push(str.length);
    this.strs.push(str);
  }
  get empty() {
    return this.nums.length === 0;
  }
  take() {
    const out = [new Float64Array(this.nums), this.strs.join('')];
    this.nums = [];
    this.strs = [];
    return out;
  }
}
