// The value setters the recorder wraps, so that values set by the page's own scripts
// are recorded as typed ones are.

/* exported activeRecorders, hookSetters, unhookSetters */

// Values set by the page's scripts (`input.value = ''` after a submit) fire no input
// event: the setters are wrapped, as rrweb wraps them, while any recorder runs.
const VALUE_SETTERS = [
  ['HTMLInputElement', 'value'], ['HTMLInputElement', 'checked'], ['HTMLTextAreaElement', 'value'],
  ['HTMLSelectElement', 'value'], ['HTMLSelectElement', 'selectedIndex'], ['HTMLOptionElement', 'selected'],
];
const activeRecorders = new Set();
let unhookSetters = null;

function hookSetters() {
  if (unhookSetters) return;
  const undo = [];
  for (const [cls, prop] of VALUE_SETTERS) {
    const proto = globalThis[cls] && globalThis[cls].prototype;
    const d = proto && Object.getOwnPropertyDescriptor(proto, prop);
    if (!d || !d.set || !d.configurable) continue;
    Object.defineProperty(proto, prop, {
      ...d,
      set(v) {
        d.set.call(this, v);
        const field = cls === 'HTMLOptionElement' ? this.closest && this.closest('select') : this;
        if (field) for (const r of activeRecorders) r.onInput(field);
      },
    });
    undo.push(() => Object.defineProperty(proto, prop, d));
  }
  unhookSetters = () => {
    for (const f of undo) f();
    unhookSetters = null;
  };
}
