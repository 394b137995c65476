// Sample browser of the trustllm HTML report (embedded into the page at build time).
// The samples are model output, i.e. hostile: they are only ever put into the page with
// textContent and createElement, never as HTML.
(function () {
  'use strict';
  var PAGE_SIZE = 50;
  var source = document.getElementById('tlm-samples');
  var list = document.getElementById('sample-list');
  if (!source || !list) return;
  var samples = JSON.parse(source.textContent);
  var taskSel = document.getElementById('f-task');
  var outcomeSel = document.getElementById('f-outcome');
  var query = document.getElementById('f-query');
  var info = document.getElementById('sample-info');
  var prev = document.getElementById('page-prev');
  var next = document.getElementById('page-next');
  var page = 0;
  var filtered = samples;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function show(value) {
    if (typeof value === 'string') return value;
    return JSON.stringify(value, null, 1);
  }

  // Every key and value of the evaluation records as plain text (not JSON, so a search for a
  // judge reply with quotes or line breaks finds it as it is shown).
  function flatten(value, out) {
    if (value === null || value === undefined) return out;
    if (typeof value !== 'object') { out.push(String(value)); return out; }
    Object.keys(value).forEach(function (k) {
      if (!Array.isArray(value)) out.push(k);
      flatten(value[k], out);
    });
    return out;
  }

  // Lower-cased text of one sample for the full-text search, built on first use and kept
  // beside the samples (never on them).
  var hay = [];
  function haystack(s, i) {
    if (hay[i] === undefined) {
      hay[i] = flatten(s.evaluations || {}, [s.task, s.id, s.prompt || '', s.response || ''])
                   .join('\n').toLowerCase();
    }
    return hay[i];
  }

  // One option per task, in the order of the run, with its number of samples.
  function fillTasks() {
    var order = [];
    var counts = {};
    samples.forEach(function (s) {
      if (!counts[s.task]) { counts[s.task] = 0; order.push(s.task); }
      counts[s.task]++;
    });
    order.forEach(function (t) {
      var o = el('option', null, t + ' (' + counts[t] + ')');
      o.value = t;
      taskSel.appendChild(o);
    });
  }

  function matches(s, i, task, outcome, words) {
    if (task && s.task !== task) return false;
    if (outcome && (s.outcome || 'none') !== outcome) return false;
    if (words.length) {
      var h = haystack(s, i);
      for (var w = 0; w < words.length; w++) if (h.indexOf(words[w]) < 0) return false;
    }
    return true;
  }

  function evaluationBlock(name, record) {
    var box = el('div', 'eval');
    box.appendChild(el('div', 'name', name));
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      box.appendChild(el('pre', null, show(record)));
      return box;
    }
    var table = el('table');
    Object.keys(record).forEach(function (k) {
      var tr = el('tr');
      tr.appendChild(el('th', null, k));
      tr.appendChild(el('td', null, show(record[k])));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function card(s) {
    var box = el('article', 'sample');
    var head = el('div', 'head');
    head.appendChild(el('strong', null, s.task));
    head.appendChild(el('span', 'id', '#' + s.id));
    head.appendChild(el('span', 'badge ' + (s.outcome || 'none'), s.outcome || 'no outcome'));
    if (s.status && s.status !== 'ok') head.appendChild(el('span', 'badge failed', s.status));
    if (s.finish_reason && s.finish_reason !== 'stop') head.appendChild(el('span', 'id', 'finish: ' + s.finish_reason));
    box.appendChild(head);
    box.appendChild(el('h4', null, 'Prompt'));
    box.appendChild(el('pre', null, s.prompt));
    box.appendChild(el('h4', null, 'Response'));
    if (s.response === null || s.response === undefined) {
      box.appendChild(el('div', 'none', '(no response)'));
    } else {
      box.appendChild(el('pre', null, s.response));
    }
    var names = Object.keys(s.evaluations || {});
    if (names.length) {
      box.appendChild(el('h4', null, 'Evaluations'));
      names.forEach(function (n) { box.appendChild(evaluationBlock(n, s.evaluations[n])); });
    }
    return box;
  }

  function render() {
    while (list.firstChild) list.removeChild(list.firstChild);
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
    if (page >= pages) page = pages - 1;
    var start = page * PAGE_SIZE;
    filtered.slice(start, start + PAGE_SIZE).forEach(function (s) { list.appendChild(card(s)); });
    info.textContent = filtered.length === 0
        ? 'no sample matches'
        : (start + 1) + '–' + Math.min(start + PAGE_SIZE, filtered.length) + ' of ' +
          filtered.length + ' matching samples (' + samples.length + ' in the run), page ' +
          (page + 1) + ' of ' + pages;
    prev.disabled = page === 0;
    next.disabled = page + 1 >= pages;
  }

  function apply() {
    var words = query.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length; });
    var task = taskSel.value;
    var outcome = outcomeSel.value;
    filtered = samples.filter(function (s, i) { return matches(s, i, task, outcome, words); });
    page = 0;
    render();
  }

  var timer = null;
  query.addEventListener('input', function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  taskSel.addEventListener('change', apply);
  outcomeSel.addEventListener('change', apply);
  prev.addEventListener('click', function () { if (page > 0) { page--; render(); } });
  next.addEventListener('click', function () { page++; render(); });
  fillTasks();
  apply();
})();
