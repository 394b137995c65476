// Runs the sample browser of a report.html in Node against a minimal DOM written here (used by
// report.sh when no browser is installed, and next to it when one is). The DOM throws on
// innerHTML, outerHTML, insertAdjacentHTML and setAttribute, so the page's script is proven to
// build the browser from text only. Checks: the first page lists min(50, all) samples, paging,
// the task / outcome / text filters, and that texts come through unchanged.
//
// usage: node report_dom.js REPORT.html [EXPECTED_RESPONSE_OF_FIRST_SAMPLE_FILE]
'use strict';
const fs = require('fs');

class El {
  constructor(tag, id) {
    this.tagName = tag.toUpperCase();
    this.id = id || '';
    this.children = [];
    this.text = '';
    this.className = '';
    this.value = '';
    this.disabled = false;
    this.listeners = {};
  }
  appendChild(c) { this.children.push(c); c.parentNode = this; return c; }
  removeChild(c) { this.children.splice(this.children.indexOf(c), 1); return c; }
  get firstChild() { return this.children[0] || null; }
  set textContent(t) { this.children = []; this.text = String(t); }
  get textContent() { return this.text + this.children.map((c) => c.textContent).join(''); }
  set innerHTML(_) { throw new Error('the page used innerHTML'); }
  set outerHTML(_) { throw new Error('the page used outerHTML'); }
  insertAdjacentHTML() { throw new Error('the page used insertAdjacentHTML'); }
  setAttribute() { throw new Error('the page used setAttribute'); }
  addEventListener(ev, fn) { (this.listeners[ev] = this.listeners[ev] || []).push(fn); }
  fire(ev) { (this.listeners[ev] || []).forEach((f) => f()); }
  all(pred, out = []) {
    for (const c of this.children) { if (pred(c)) out.push(c); c.all(pred, out); }
    return out;
  }
}

function fail(msg) { console.error('report_dom: ' + msg); process.exit(1); }
function check(cond, msg) { if (!cond) fail(msg); }

const html = fs.readFileSync(process.argv[2], 'utf8');
const data = /<script type="application\/json" id="tlm-samples">([\s\S]*?)<\/script>/.exec(html);
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
check(data && scripts.length === 1, 'expected the data block and one page script');

const ids = {};
for (const [tag, id] of [['script', 'tlm-samples'], ['select', 'f-task'], ['select', 'f-outcome'],
                         ['input', 'f-query'], ['span', 'sample-info'], ['button', 'page-prev'],
                         ['button', 'page-next'], ['div', 'sample-list']]) {
  check(html.includes('id="' + id + '"'), 'no element #' + id);
  ids[id] = new El(tag, id);
}
ids['tlm-samples'].text = data[1];
const document = {
  getElementById: (id) => ids[id] || null,
  createElement: (tag) => new El(tag),
};
const timers = [];
new Function('document', 'setTimeout', 'clearTimeout', scripts[0][1])(
    document, (f) => { timers.push(f); return timers.length; }, () => {});

const samples = JSON.parse(data[1]);
const list = ids['sample-list'];
const cards = () => list.children.filter((c) => c.className === 'sample');
const heads = () => cards().map((c) => c.children[0]);
const info = () => ids['sample-info'].textContent;

check(cards().length === Math.min(50, samples.length),
      'first page has ' + cards().length + ' cards for ' + samples.length + ' samples');
check(info().includes(' of ' + samples.length + ' matching'), 'info: ' + info());

// Paging.
if (samples.length > 50) {
  check(!ids['page-next'].disabled && ids['page-prev'].disabled, 'pager buttons on page 1');
  ids['page-next'].fire('click');
  check(cards().length === Math.min(50, samples.length - 50), 'second page size');
  check(info().startsWith('51–'), 'second page info: ' + info());
  ids['page-prev'].fire('click');
}

// Task filter: the select was filled from the data; every card then has that task.
const options = ids['f-task'].children.map((o) => o.value);
const tasks = [...new Set(samples.map((s) => s.task))];
check(JSON.stringify(options) === JSON.stringify(tasks), 'task options ' + options);
const task = tasks[tasks.length - 1];
ids['f-task'].value = task;
ids['f-task'].fire('change');
const want = samples.filter((s) => s.task === task).length;
check(info().includes(' of ' + want + ' matching'), 'task filter: ' + info());
check(heads().every((h) => h.children[0].textContent === task), 'a card of another task');
ids['f-task'].value = '';

// Outcome filter.
const outcome = samples[0].outcome || 'none';
ids['f-outcome'].value = outcome;
ids['f-outcome'].fire('change');
const wantOutcome = samples.filter((s) => (s.outcome || 'none') === outcome).length;
check(info().includes(' of ' + wantOutcome + ' matching'), 'outcome filter: ' + info());
ids['f-outcome'].value = '';

// Full-text search (after the debounce timer fires).
const word = (samples[0].id + '').toLowerCase();
ids['f-query'].value = 'NO-SUCH-WORD-' + Date.now();
ids['f-query'].fire('input');
timers.splice(0).forEach((f) => f());
check(cards().length === 0 && info() === 'no sample matches', 'search for nothing: ' + info());
ids['f-query'].value = word;
ids['f-query'].fire('input');
timers.splice(0).forEach((f) => f());
check(cards().length > 0, 'search for a sample id found nothing');

// The first sample's response is shown exactly, as text.
if (process.argv[3]) {
  ids['f-query'].value = '';
  ids['f-query'].fire('input');
  timers.splice(0).forEach((f) => f());
  const expected = fs.readFileSync(process.argv[3], 'utf8');
  const pres = cards()[0].children.filter((c) => c.tagName === 'PRE');
  check(pres.length >= 2 && pres[1].textContent === expected,
        'response text changed: ' + JSON.stringify(pres.map((p) => p.textContent)));
}
console.log('report_dom: ok (' + samples.length + ' samples)');
