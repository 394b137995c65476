// Checks the sample browser of a report.html, in one of two ways:
//
// * Node (default): the page's script runs against a minimal DOM written here. That DOM throws on
//   innerHTML, outerHTML, insertAdjacentHTML and setAttribute, so the script is proven to build
//   the browser from text only. Needs nothing but node.
// * --browser: the page is opened in headless Chromium (Debian's `chromium`), driven over the
//   DevTools protocol on a pipe (--remote-debugging-pipe; no network port, no npm package). Adds:
//   no console error, warning or exception while the page loads and is used; six axes in the
//   overview; with --xss, that no hostile payload ran (window.__pwned unset, title unchanged, no
//   #pwned element), that no element, attribute, URL or comment came from the data (tag counts
//   against the page's static markup), and that the payloads are visible as text; a screenshot
//   with --screenshot.
//
// Both ways run the same checks of the sample browser: the first page lists min(50, all) samples,
// paging, the task filter for every task, the outcome filter for every outcome option, task and
// outcome together, the full-text search (nothing, an id, a word of a response, text with quotes
// from an evaluation record, two words at once), and that every shown prompt and response is
// exactly the sample's text.
//
// usage: node report_dom.js [--browser] [--xss] [--screenshot FILE.png] [--scroll ID] [--height N]
//                           [--outcomes refused,correct,...] [--expect-response FILE] REPORT.html
//   --scroll: the screenshot shows the page scrolled to the element with this id.
//   --height: the height of the browser's viewport (and screenshot) in pixels, 1600 by default.
//   --outcomes: outcomes the run must have at least one sample of (so their filter is tested).
//   --expect-response: the first sample's response must be exactly this file's content.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

// A failed check throws; main() closes the browser and exits with status 1.
class CheckFailure extends Error {}
function fail(msg) {
  throw new CheckFailure(msg);
}
process.on('uncaughtException', (e) => {
  console.error('report_dom: ' + (e instanceof CheckFailure ? e.message : e.stack || e));
  process.exit(1);
});
// Last resort on any exit: no browser or profile folder is left behind.
const leftovers = { child: null, profile: '' };
process.on('exit', () => {
  if (leftovers.child && leftovers.child.exitCode === null) leftovers.child.kill('SIGKILL');
  if (leftovers.profile) {
    fs.rmSync(leftovers.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
});
function check(cond, msg) {
  if (!cond) fail(msg);
}

// ---- arguments and the page's parts --------------------------------------------------------

const opts = { browser: false, xss: false, screenshot: '', scroll: '', height: 1600, outcomes: [],
               expectResponse: '', page: '' };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--browser') opts.browser = true;
  else if (a === '--xss') opts.xss = true;
  else if (a === '--screenshot') opts.screenshot = process.argv[++i];
  else if (a === '--scroll') opts.scroll = process.argv[++i];
  else if (a === '--height') opts.height = Number(process.argv[++i]);
  else if (a === '--outcomes') opts.outcomes = process.argv[++i].split(',').filter((s) => s);
  else if (a === '--expect-response') opts.expectResponse = process.argv[++i];
  else if (!opts.page && !a.startsWith('--')) opts.page = a;
  else fail('unknown argument ' + a);
}
check(opts.page, 'usage: node report_dom.js [--browser] [--xss] [--screenshot F] REPORT.html');
check(!opts.xss || opts.browser, '--xss needs --browser');

const html = fs.readFileSync(opts.page, 'utf8');
const data = /<script type="application\/json" id="tlm-samples">([\s\S]*?)<\/script>/.exec(html);
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
check(data && scripts.length === 1, 'expected the data block and one page script');
const samples = JSON.parse(data[1]);
const outcomeOptions = (() => {
  const sel = /<select id="f-outcome">([\s\S]*?)<\/select>/.exec(html);
  check(sel, 'no outcome select');
  return [...sel[1].matchAll(/<option value="([^"]*)">/g)].map((m) => m[1]).filter((v) => v);
})();

// The same text the page searches: task, id, prompt, response, every key and value of the
// evaluation records.
function flatten(value, out) {
  if (value === null || value === undefined) return out;
  if (typeof value !== 'object') {
    out.push(String(value));
    return out;
  }
  for (const k of Object.keys(value)) {
    if (!Array.isArray(value)) out.push(k);
    flatten(value[k], out);
  }
  return out;
}
const hay = samples.map((s) =>
  flatten(s.evaluations || {}, [s.task, s.id, s.prompt || '', s.response || ''])
    .join('\n').toLowerCase());
const searchCount = (words) =>
  hay.filter((h) => words.every((w) => h.includes(w.toLowerCase()))).length;

// ---- driver 1: the page's script in Node against a minimal DOM ------------------------------

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
}

function nodeDriver() {
  const ids = {};
  for (const [tag, id] of [['script', 'tlm-samples'], ['select', 'f-task'], ['select', 'f-outcome'],
                           ['input', 'f-query'], ['span', 'sample-info'], ['button', 'page-prev'],
                           ['button', 'page-next'], ['div', 'sample-list']]) {
    check(html.includes('id="' + id + '"'), 'no element #' + id);
    ids[id] = new El(tag, id);
  }
  ids['tlm-samples'].text = data[1];
  const document = { getElementById: (id) => ids[id] || null, createElement: (t) => new El(t) };
  const timers = [];
  new Function('document', 'setTimeout', 'clearTimeout', scripts[0][1])(
    document, (f) => { timers.push(f); return timers.length; }, () => {});
  const cardOf = (a) => {
    const head = a.children[0];
    const pres = a.children.filter((c) => c.tagName === 'PRE').map((p) => p.textContent);
    const none = a.children.some((c) => c.className === 'none');
    return {
      task: head.children[0].textContent,
      id: head.children[1].textContent.slice(1),
      badge: head.children[2].textContent,
      prompt: pres[0],
      response: none ? null : pres[1],
      text: a.textContent,
    };
  };
  return {
    name: 'node',
    async set(id, value) {
      ids[id].value = value;
      ids[id].fire(id === 'f-query' ? 'input' : 'change');
      timers.splice(0).forEach((f) => f());
    },
    async click(id) { ids[id].fire('click'); },
    async state() {
      return {
        cards: ids['sample-list'].children.filter((c) => c.className === 'sample').map(cardOf),
        info: ids['sample-info'].textContent,
        prevDisabled: ids['page-prev'].disabled,
        nextDisabled: ids['page-next'].disabled,
        taskOptions: ids['f-task'].children.map((o) => o.value),
      };
    },
  };
}

// ---- driver 2: headless Chromium over the DevTools protocol on a pipe ----------------------

class Cdp {
  constructor(child) {
    this.child = child;
    this.next = 0;
    this.pending = new Map();
    this.events = [];
    this.waiters = [];
    let buf = Buffer.alloc(0);
    child.stdio[4].on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0)) {
        const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 1);
        this.receive(msg);
      }
    });
  }
  send(method, params, sessionId) {
    const id = ++this.next;
    const msg = { id, method, params: params || {} };
    if (sessionId) msg.sessionId = sessionId;
    this.child.stdio[3].write(JSON.stringify(msg) + '\0');
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }
  receive(msg) {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message));
      else p.resolve(msg.result);
      return;
    }
    this.events.push(msg);
    this.waiters = this.waiters.filter((w) => !(w.method === msg.method && (w.resolve(msg), true)));
  }
  waitFor(method) {
    const seen = this.events.find((e) => e.method === method);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }
}

// Console messages, exceptions and browser log entries of the page, as text.
function pageProblems(events) {
  const out = [];
  for (const e of events) {
    const p = e.params || {};
    if (e.method === 'Runtime.exceptionThrown') {
      const ex = p.exceptionDetails;
      out.push('exception: ' + ((ex.exception || {}).description || ex.text));
    } else if (e.method === 'Runtime.consoleAPICalled' && p.type !== 'log' && p.type !== 'info' &&
               p.type !== 'debug') {
      out.push('console.' + p.type + ': ' + p.args.map((a) => a.value || a.description).join(' '));
    } else if (e.method === 'Log.entryAdded' && p.entry.level !== 'verbose' &&
               p.entry.level !== 'info') {
      out.push('log ' + p.entry.level + ' (' + p.entry.source + '): ' + p.entry.text);
    }
  }
  return out;
}

async function browserDriver() {
  const { spawn } = require('child_process');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'report-dom-chromium-'));
  const child = spawn(process.env.CHROMIUM || 'chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
    '--user-data-dir=' + profile, '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-sync', '--disable-background-networking',
    '--hide-scrollbars', '--mute-audio', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  leftovers.child = child;
  leftovers.profile = profile;
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  child.on('exit', (code) => {
    if (!driver.closing) fail('chromium exited (' + code + '): ' + stderr);
  });
  const cdp = new Cdp(child);
  const driver = { name: 'chromium', closing: false };
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const send = (m, p) => cdp.send(m, p, sessionId);
  await send('Runtime.enable');
  await send('Log.enable');
  await send('Page.enable');
  await send('Emulation.setDeviceMetricsOverride',
             { width: 1280, height: opts.height, deviceScaleFactor: 1, mobile: false });
  await send('Page.navigate', { url: 'file://' + path.resolve(opts.page) });
  await cdp.waitFor('Page.loadEventFired');

  // Runs `fn` (a function's source) in the page and returns its JSON-able result.
  const run = async (fn, ...args) => {
    const r = await send('Runtime.evaluate', {
      expression: '(' + fn + ')(...' + JSON.stringify(args) + ')',
      returnByValue: true, awaitPromise: true,
    });
    if (r.exceptionDetails) fail('in the page: ' + JSON.stringify(r.exceptionDetails));
    return r.result.value;
  };
  Object.assign(driver, {
    cdp, run,
    async set(id, value) {
      await run(async (id, value) => {
        const e = document.getElementById(id);
        e.value = value;
        e.dispatchEvent(new Event(id === 'f-query' ? 'input' : 'change'));
        await new Promise((r) => setTimeout(r, id === 'f-query' ? 400 : 0));
      }, id, value);
    },
    async click(id) { await run((id) => document.getElementById(id).click(), id); },
    async state() {
      return run(() => {
        const cards = [...document.querySelectorAll('#sample-list > article.sample')].map((a) => {
          const pres = [...a.querySelectorAll(':scope > pre')].map((p) => p.textContent);
          const none = a.querySelector(':scope > .none') !== null;
          return {
            task: a.querySelector('.head strong').textContent,
            id: a.querySelector('.head .id').textContent.slice(1),
            badge: a.querySelector('.head .badge').textContent,
            prompt: pres[0], response: none ? null : pres[1], text: a.textContent,
          };
        });
        return {
          cards,
          info: document.getElementById('sample-info').textContent,
          prevDisabled: document.getElementById('page-prev').disabled,
          nextDisabled: document.getElementById('page-next').disabled,
          taskOptions: [...document.querySelectorAll('#f-task option')].map((o) => o.value)
                           .filter((v) => v),
        };
      });
    },
    problems: () => pageProblems(cdp.events),
    async screenshot(file) {
      const { data: png } = await send('Page.captureScreenshot', { format: 'png' });
      fs.writeFileSync(file, Buffer.from(png, 'base64'));
    },
    async close() {
      driver.closing = true;
      const exited = child.exitCode !== null ? Promise.resolve()
                                             : new Promise((r) => child.once('exit', r));
      try { await cdp.send('Browser.close'); } catch (_) { child.kill(); }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      leftovers.child = null;
      leftovers.profile = '';
    },
  });
  return driver;
}

// ---- the checks of the sample browser (both drivers) ---------------------------------------

const badgeOutcome = (b) => (b === 'no outcome' ? 'none' : b);
const matchingText = (n) => (n === 0 ? 'no sample matches' : ' of ' + n + ' matching');

async function expectCount(d, n, what) {
  const st = await d.state();
  check(st.info.includes(matchingText(n)), what + ': expected ' + n + ' samples, info "' +
        st.info + '"');
  check(st.cards.length === Math.min(50, n), what + ': ' + st.cards.length + ' cards for ' + n);
  return st;
}

// Every card on the current page shows exactly its sample's prompt and response.
function checkTexts(cards, expected, what) {
  cards.forEach((c, i) => {
    const s = expected[i];
    check(c.task === s.task && c.id === String(s.id), what + ': card ' + i + ' is ' + c.task +
          '#' + c.id + ', expected ' + s.task + '#' + s.id);
    check(c.prompt === (s.prompt === null ? '' : String(s.prompt)), what + ': prompt of ' +
          s.task + '#' + s.id + ' changed: ' + JSON.stringify(c.prompt));
    check(c.response === (s.response === null ? null : String(s.response)),
          what + ': response of ' + s.task + '#' + s.id + ' changed: ' + JSON.stringify(c.response));
    check(badgeOutcome(c.badge) === (s.outcome || 'none'), what + ': badge ' + c.badge);
  });
}

async function checkBrowser(d) {
  const n = samples.length;
  let st = await expectCount(d, n, 'first page');
  checkTexts(st.cards, samples, 'first page');

  // Paging: forward through at most three pages, then back.
  const pages = Math.ceil(n / 50);
  check(st.prevDisabled && st.nextDisabled === (pages <= 1), 'pager buttons on page 1');
  for (let p = 1; p < Math.min(pages, 3); p++) {
    await d.click('page-next');
    st = await d.state();
    check(st.info.startsWith(p * 50 + 1 + '–'), 'page ' + (p + 1) + ' info: ' + st.info);
    checkTexts(st.cards, samples.slice(p * 50), 'page ' + (p + 1));
  }
  for (let p = Math.min(pages, 3) - 1; p > 0; p--) await d.click('page-prev');
  st = await d.state();
  check(st.info.startsWith('1–') || n === 0, 'back on page 1: ' + st.info);

  // Task filter: one option per task in run order; each selects exactly its samples.
  const tasks = [...new Set(samples.map((s) => s.task))];
  check(JSON.stringify(st.taskOptions) === JSON.stringify(tasks), 'task options ' + st.taskOptions);
  for (const t of tasks) {
    await d.set('f-task', t);
    const want = samples.filter((s) => s.task === t);
    st = await expectCount(d, want.length, 'task ' + t);
    checkTexts(st.cards, want, 'task ' + t);
  }
  await d.set('f-task', '');

  // Outcome filter: every option of the select, with the counts of the data.
  for (const o of opts.outcomes) {
    check(outcomeOptions.includes(o), 'no outcome option ' + o);
    check(samples.some((s) => (s.outcome || 'none') === o), 'the run has no "' + o + '" sample');
  }
  for (const o of outcomeOptions) {
    await d.set('f-outcome', o);
    const want = samples.filter((s) => (s.outcome || 'none') === o);
    st = await expectCount(d, want.length, 'outcome ' + o);
    checkTexts(st.cards, want, 'outcome ' + o);
  }
  // Task and outcome together.
  const last = samples[n - 1];
  if (last) {
    await d.set('f-task', last.task);
    await d.set('f-outcome', last.outcome || 'none');
    const want = samples.filter((s) => s.task === last.task &&
                                       (s.outcome || 'none') === (last.outcome || 'none'));
    st = await expectCount(d, want.length, 'task and outcome');
    checkTexts(st.cards, want, 'task and outcome');
    await d.set('f-task', '');
    await d.set('f-outcome', '');
  }

  // Full-text search.
  await d.set('f-query', 'NO-SUCH-WORD-' + Date.now());
  await expectCount(d, 0, 'search for nothing');
  const queries = [];
  if (n) queries.push([String(samples[0].id)]);
  const withResponse = samples.find((s) => /[A-Za-z]{4,}/.test(s.response || ''));
  if (withResponse) {
    const words = withResponse.response.match(/[A-Za-z]{4,}/g);
    queries.push([words[0].toUpperCase()]);  // case-insensitive
    queries.push([words[0], withResponse.task]);  // every word must occur
  }
  // A word with quotes or brackets from an evaluation record (e.g. a judge reply), searched as
  // it is shown, not as it would be written in JSON.
  const words = samples.map((s) => flatten(s.evaluations || {}, [])).flat()
                       .flatMap((v) => v.split(/\s+/)).filter((w) => w.length > 3);
  const quoted = words.find((w) => w.includes('"')) || words.find((w) => /['<>\\]/.test(w));
  if (quoted) queries.push([quoted]);
  for (const q of queries) {
    await d.set('f-query', q.join(' '));
    const want = searchCount(q);
    check(want > 0, 'search ' + JSON.stringify(q) + ' matches nothing in the data');
    st = await expectCount(d, want, 'search ' + JSON.stringify(q));
    for (const c of st.cards) {
      const h = hay[samples.findIndex((s) => s.task === c.task && String(s.id) === c.id)];
      check(q.every((w) => h.includes(w.toLowerCase())), 'search hit without the words: ' + c.id);
    }
  }
  await d.set('f-query', '');
  await expectCount(d, n, 'search cleared');

  if (opts.expectResponse) {
    const expected = fs.readFileSync(opts.expectResponse, 'utf8');
    st = await d.state();
    check(st.cards[0].response === expected,
          'first response changed: ' + JSON.stringify(st.cards[0].response));
  }
}

// ---- browser-only checks: the overview, and nothing from the data ran or became markup ------

// Tags the page's script creates; every other tag must occur in the DOM exactly as often as in
// the page's static markup (tbody: added by the HTML parser to every table).
const CREATED = new Set(['article', 'div', 'strong', 'span', 'h4', 'pre', 'table', 'tbody', 'tr',
                         'th', 'td', 'option']);

function staticMarkup() {
  // The markup outside the data block, without the text of the page's own script and style.
  return html.slice(0, data.index) + '<script type="application/json" id="tlm-samples"></script>' +
         html.slice(data.index + data[0].length)
    .replace(/(<script>)[\s\S]*?(<\/script>)/g, '$1$2')
    .replace(/(<style>)[\s\S]*?(<\/style>)/g, '$1$2');
}

function decodeEntities(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

async function checkPage(d) {
  const markup = staticMarkup();
  const staticTags = {};
  for (const m of markup.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)[\s>/]/g)) {
    const t = m[1].toLowerCase();
    staticTags[t] = (staticTags[t] || 0) + 1;
  }
  const dom = await d.run(() => {
    const tags = {};
    const onAttrs = [];
    const jsUrls = [];
    for (const e of document.querySelectorAll('*')) {
      const t = e.tagName.toLowerCase();
      tags[t] = (tags[t] || 0) + 1;
      for (const a of e.attributes) {
        if (/^on/i.test(a.name)) onAttrs.push(t + '[' + a.name + ']');
        if (/^\s*(javascript|data|vbscript):/i.test(a.value) && a.name !== 'content') {
          jsUrls.push(t + '[' + a.name + '=' + a.value + ']');
        }
      }
    }
    let comments = 0;
    const walk = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
    while (walk.nextNode()) comments++;
    return {
      tags, onAttrs, jsUrls, comments,
      pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
      pwnedElement: document.getElementById('pwned') !== null,
      title: document.title,
      axes: [...document.querySelectorAll('#radar g.axis')].map((g) => g.dataset.dimension),
      bodyVisible: getComputedStyle(document.body).display !== 'none',
      text: document.body.innerText,
    };
  });
  check(JSON.stringify(dom.axes) ===
        JSON.stringify(['truthfulness', 'safety', 'fairness', 'robustness', 'privacy', 'ethics']),
        'overview axes: ' + dom.axes);
  const title = decodeEntities(/<title>([\s\S]*?)<\/title>/.exec(html)[1]);
  check(dom.title === title, 'document.title changed to ' + JSON.stringify(dom.title));
  check(dom.pwned === null, 'a payload ran: window.__pwned = ' + dom.pwned);
  check(!dom.pwnedElement, 'a payload added an element with id "pwned"');
  check(dom.bodyVisible, 'a payload hid the page');
  check(dom.onAttrs.length === 0, 'event-handler attributes in the DOM: ' + dom.onAttrs);
  check(dom.jsUrls.length === 0, 'script URLs in the DOM: ' + dom.jsUrls);
  const staticComments = (markup.match(/<!--/g) || []).length;
  check(dom.comments === staticComments, dom.comments + ' comment nodes, the markup has ' +
        staticComments);
  for (const t of new Set([...Object.keys(dom.tags), ...Object.keys(staticTags)])) {
    if (CREATED.has(t) || ['html', 'head', 'body'].includes(t)) continue;
    check((dom.tags[t] || 0) === (staticTags[t] || 0), '<' + t + '> elements: ' +
          (dom.tags[t] || 0) + ' in the DOM, ' + (staticTags[t] || 0) + ' in the page markup');
  }
  return dom;
}

// With --xss: every sample whose texts carry the payload marker is found by a search for it and
// shown with the payload as visible text.
async function checkPayloadsAsText(d) {
  const marker = '__pwned';
  const want = samples.filter((s) => hay[samples.indexOf(s)].includes(marker.toLowerCase()));
  check(want.length > 0, 'the run has no payloads (no "' + marker + '" in any sample)');
  await d.set('f-query', marker);
  const st = await expectCount(d, want.length, 'search for the payload marker');
  checkTexts(st.cards, want, 'payload samples');
  const visible = await d.run(() => document.body.innerText);
  for (const s of want.slice(0, 50)) {
    for (const t of [s.prompt, s.response]) {
      if (!t || !t.includes(marker)) continue;
      // innerText folds runs of white space; compare the first line of the text.
      const line = t.split('\n').find((l) => l.includes(marker)).trim().slice(0, 80);
      check(visible.includes(line), 'payload text not visible: ' + JSON.stringify(line));
    }
  }
  await d.set('f-query', '');
}

async function main() {
  const timer = setTimeout(() => fail('timed out after 120 s'), 120000);
  if (!opts.browser) {
    await checkBrowser(nodeDriver());
    clearTimeout(timer);
    console.log('report_dom: ok (node, ' + samples.length + ' samples)');
    return;
  }
  const d = await browserDriver();
  try {
    await checkPage(d);
    await checkBrowser(d);
    if (opts.xss) await checkPayloadsAsText(d);
    await checkPage(d);  // again, after every filter has rendered its cards
    if (opts.screenshot) {
      if (opts.xss) await d.set('f-query', '__pwned');  // the payload samples
      const at = opts.scroll || (opts.xss ? 'samples' : '');
      if (at) {
        const found = await d.run((id) => {
          const e = document.getElementById(id);
          if (e) e.scrollIntoView();
          return e !== null;
        }, at);
        check(found, '--scroll: no element #' + at);
      }
      await d.screenshot(opts.screenshot);
    }
    const problems = d.problems();
    check(problems.length === 0, 'the page reported problems:\n  ' + problems.join('\n  '));
  } finally {
    await d.close();
  }
  clearTimeout(timer);
  console.log('report_dom: ok (chromium, ' + samples.length + ' samples' +
              (opts.xss ? ', no payload ran' : '') + ')');
}

main().catch((e) => {
  console.error('report_dom: ' + (e instanceof CheckFailure ? e.message : e.stack || e));
  process.exit(1);
});
