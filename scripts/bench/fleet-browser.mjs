/**
 * The browser half of the "fleet" section: the real dashboard served by the
 * aggregator, in Debian's chromium through playwright-core, 1280x900.
 * Every figure is taken inside the page (performance.now, rAF, the Long
 * Tasks API) or from the DevTools protocol (JS heap after a collection).
 */

/** Resolves once the dashboard and every element in it finished updating and two frames were painted. */
const SETTLE = `async () => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const all = (root, out = []) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.updateComplete) out.push(el);
      if (el.shadowRoot) all(el.shadowRoot, out);
    }
    return out;
  };
  for (let i = 0; i < 20; i++) {
    const els = all(document);
    await Promise.all(els.map((e) => e.updateComplete));
    await frame();
    if (!all(document).some((e) => e.isUpdatePending)) return;
  }
}`;

async function settle(page) {
  await page.evaluate(`(${SETTLE})()`);
}

const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** When the poller last received new data (its User Timing mark). */
const RECEIVED_AT = `(performance.getEntriesByName('jm-cluster-received').at(-1)?.startTime ?? NaN)`;

/**
 * First full render: median of 3 page loads after a warm-up load, from
 * navigation and from the moment the data arrived (parsed; `jm-data`), which
 * leaves out the server's time to answer.
 */
async function firstRender(browser, url, nodes, measureRender) {
  const fromNav = [];
  const fromData = [];
  for (let i = 0; i < 4; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    const ms = await measureRender(page, nodes);
    const dataAt = await page.evaluate(RECEIVED_AT);
    if (i > 0) {
      fromNav.push(ms);
      fromData.push(ms - dataAt);
    }
    await page.close();
  }
  return { fromNav: mid(fromNav), fromData: mid(fromData) };
}

/**
 * A range switch (button `index`: 1 to 30 days, 0 back to 24 h), rendered:
 * the first data of the new range painted (`shown`), and every open node's
 * rows in and painted (`total`); with the times of the answers it waited for.
 */
async function rangeToggle(page, index = 1) {
  return page.evaluate(`(async () => {
    const dash = document.querySelector('jm-dashboard');
    const t0 = performance.now();
    const arrived = new Promise((r) => dash.addEventListener('jm-data', r, { once: true }));
    dash.shadowRoot.querySelectorAll('.toggle button')[${index}].click();
    await arrived;
    await (${SETTLE})();
    const shown = performance.now() - t0;
    await ${ROWS_LOADED};
    await (${SETTLE})();
    const end = performance.now();
    // Where the time went before the data was in: the answers asked since the click (resource timing, ms after it).
    const asked = performance.getEntriesByType('resource').filter((e) => e.startTime >= t0 && new URL(e.name).pathname.startsWith('/api/cluster'));
    const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const last = (list) => list.reduce((m, e) => Math.max(Number.isNaN(m) ? 0 : m, e.responseEnd - t0), NaN);
    const rows = asked.filter((e) => new URL(e.name).pathname.startsWith('/api/cluster/node/'));
    return {
      total: end - t0,
      shown,
      fromData: end - ${RECEIVED_AT},
      summaryMs: last(asked.filter((e) => new URL(e.name).pathname === '/api/cluster/summary')),
      rowsMs: last(rows),
      rowsAsked: rows.length,
      // Per rows answer, median: waiting for the server (request sent to first byte) and the download.
      rowsWait: mid(rows.map((e) => e.responseStart - e.requestStart)),
      rowsDownload: mid(rows.map((e) => e.responseEnd - e.responseStart)),
      bytes: asked.reduce((n, e) => n + e.transferSize, 0),
    };
  })()`);
}

/** One character typed into the filter, to the result painted: median of 5 keystrokes. */
async function keystrokes(page) {
  const times = [];
  for (const text of ['S', 'Se', 'Ser', 'Serv', 'Servi', '']) {
    times.push(
      await page.evaluate(`(async () => {
        const el = document.querySelector('jm-dashboard').shadowRoot.querySelector('input[type=search]');
        const t0 = performance.now();
        el.value = ${JSON.stringify(text)};
        el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        await (${SETTLE})();
        return performance.now() - t0;
      })()`),
    );
  }
  return mid(times.slice(0, 5));
}

/** Frame intervals while the page is scrolled by the mouse wheel for about 3 s. */
async function scrollFrames(page) {
  await page.evaluate(`(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__frames.length < 400 && !window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(640, 450);
  let maxDom = 0;
  for (let i = 0; i < 60; i++) {
    await page.mouse.wheel(0, 300);
    await new Promise((r) => setTimeout(r, 40));
    if (i % 10 === 9) maxDom = Math.max(maxDom, await page.evaluate(DOM_COUNT));
  }
  const frames = await page.evaluate('(() => { window.__stopFrames = true; return window.__frames.slice(2); })()');
  return { p50: frames.length ? mid(frames) : NaN, maxDom };
}

/** The longest main-thread task (Long Tasks API: over 50 ms) while a background poll is fetched, parsed and rendered. */
async function pollTasks(page) {
  return page.evaluate(`(async () => {
    const tasks = [];
    const obs = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => ({ start: e.startTime, ms: e.duration }))));
    obs.observe({ type: 'longtask' });
    const dash = document.querySelector('jm-dashboard');
    const t0 = performance.now();
    const arrived = new Promise((r) => dash.addEventListener('jm-data', r, { once: true }));
    const received = performance.getEntriesByName('jm-cluster-received').length;
    dash.refresh();
    // The poll is over when the poller is idle again; new data is then taken in (jm-data), a 304 brings none.
    await new Promise((r) => { const idle = () => (dash.poller.loading ? setTimeout(idle, 50) : r()); idle(); });
    if (performance.getEntriesByName('jm-cluster-received').length > received) await arrived;
    await (${SETTLE})();
    await new Promise((r) => setTimeout(r, 200));
    obs.disconnect();
    const dataAt = ${RECEIVED_AT} > t0 ? ${RECEIVED_AT} : NaN;
    const longest = tasks.reduce((m, t) => Math.max(m, t.ms), 0);
    // What the poll moved: the API answers fetched since it began (bodies and headers, as the network saw them).
    const bytes = performance.getEntriesByType('resource')
      .filter((e) => e.startTime >= t0 && new URL(e.name).pathname.startsWith('/api/'))
      .reduce((n, e) => n + e.transferSize, 0);
    const before = tasks.filter((t) => !(t.start >= dataAt)).reduce((m, t) => Math.max(m, t.ms), 0);
    const after = tasks.filter((t) => t.start >= dataAt).reduce((m, t) => Math.max(m, t.ms), 0);
    const note = Number.isNaN(dataAt) ? 'no new data (304)' : Math.round(before) + ' / ' + Math.round(after) + ' ms; ' + tasks.length + ' task(s) over 50 ms';
    return { longest, note, bytes, ms: performance.now() - t0 };
  })()`);
}

/** Starts recording every long task (over 50 ms) and counts the polls that bring data from now on. */
const WATCH_BACKGROUND = `(() => {
  window.__bg = { tasks: [], received: performance.getEntriesByName('jm-cluster-received').length, t0: performance.now() };
  window.__bg.obs = new PerformanceObserver((list) => window.__bg.tasks.push(...list.getEntries().map((e) => e.duration)));
  window.__bg.obs.observe({ type: 'longtask' });
})()`;

/** What WATCH_BACKGROUND saw: the longest task, how many over 50 ms, the polls that brought data, the minutes watched. */
const BACKGROUND_SEEN = `(() => {
  const bg = window.__bg;
  bg.obs.disconnect();
  return {
    longest: bg.tasks.reduce((m, ms) => Math.max(m, ms), 0),
    over50: bg.tasks.length,
    dataPolls: performance.getEntriesByName('jm-cluster-received').length - bg.received,
    minutes: (performance.now() - bg.t0) / 60_000,
  };
})()`;

/**
 * The page left open, every node expanded, while `waitNewSample` waits for a
 * new sample on every node: its own background polls (every 30 s) take the
 * new data in as it comes; one more poll is asked at the end. Every long task
 * of the wait is counted.
 */
async function backgroundWithNewData(page, waitNewSample) {
  await page.evaluate(WATCH_BACKGROUND);
  const result = await waitNewSample();
  const last = await pollTasks(page);
  await settle(page);
  return { ...(await page.evaluate(BACKGROUND_SEEN)), last, result };
}

/** The range switch in the default view (healthy nodes folded), on a page of its own: shown / every open node's rows. */
async function defaultViewToggle(browser, url, nodes, measureRender) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(url);
    await measureRender(page, nodes);
    await settle(page);
    return await rangeToggle(page, 1);
  } finally {
    await page.close();
  }
}

const DOM_COUNT = `(() => {
  const count = (root) => {
    let n = 0;
    for (const el of root.querySelectorAll('*')) {
      n += 1;
      if (el.shadowRoot) n += count(el.shadowRoot);
    }
    return n;
  };
  return count(document);
})()`;

/** Resolves once the poller is idle and every open node's rows are on the page (after Expand all they are asked for; folded nodes have none). */
const ROWS_LOADED = `(async () => {
  const dash = document.querySelector('jm-dashboard');
  const open = (m) => dash.expanded?.has(m.key) ?? false;
  while (dash.poller.loading || !dash.nodes.every((m) => m.loaded || !open(m))) await new Promise((r) => setTimeout(r, 50));
})()`;

/** A CPU profile's busiest functions by self time: "name (file) ms", the idle and program time apart. */
function topSelfTime(profile, n = 5) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const file = (f.url || '').split('/').pop();
    const key = `${f.functionName || '(anonymous)'}${file ? ` (${file})` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  });
  const busy = [...self].filter(([k]) => k !== '(idle)').reduce((t, [, ms]) => t + ms, 0);
  const top = [...self].filter(([k]) => !['(idle)', '(program)'].includes(k)).sort((a, b) => b[1] - a[1]).slice(0, n);
  return `busy ${Math.round(busy)} ms: ${top.map(([k, ms]) => `${k} ${Math.round(ms)}`).join(', ')}`;
}

async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
}

/** Every figure of the dashboard in one page (after the first-render loads). */
export async function browserFigures(browser, origin, { nodes, measureRender, waitNewSample, log = () => {} }) {
  const url = `${origin}/`;
  log('browser: first full render (1 warm-up + 3 loads)');
  const render = await firstRender(browser, url, nodes, measureRender);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(url);
    await measureRender(page, nodes);
    await settle(page);
    const domNodes = await page.evaluate(DOM_COUNT);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heapBytes = await heapAfterGc(cdp);
    // The rest with every node open: the most a user can ask the page to hold.
    await page.evaluate(`document.querySelector('jm-dashboard').expandAll(true)`);
    await page.evaluate(ROWS_LOADED);
    await settle(page);
    const domExpanded = await page.evaluate(DOM_COUNT);
    const heapExpanded = await heapAfterGc(cdp);
    log('browser: filter keystrokes, scrolling, a background poll, the range toggle (every node expanded)');
    const keystrokeMs = await keystrokes(page);
    const scroll = await scrollFrames(page);
    await page.evaluate('window.scrollTo(0, 0)');
    const poll = await pollTasks(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    const toggle = await rangeToggle(page, 1);
    const { profile } = await cdp.send('Profiler.stop');
    const back = await rangeToggle(page, 0);
    log('browser: the range toggle in the default view (a page of its own)');
    const defaultToggle = await defaultViewToggle(browser, url, nodes, measureRender);
    log('browser: background polls, every node expanded, while a new sample comes in on every node');
    const background = waitNewSample ? await backgroundWithNewData(page, waitNewSample) : undefined;
    return {
      defaultToggleMs: defaultToggle.total,
      defaultToggleShownMs: defaultToggle.shown,
      background,
      renderMs: render.fromNav,
      renderFromDataMs: render.fromData,
      toggleMs: toggle.total,
      toggleFromDataMs: toggle.fromData,
      toggleSummaryMs: toggle.summaryMs,
      toggleRowsMs: toggle.rowsMs,
      toggleRowsAsked: toggle.rowsAsked,
      toggleRowsWait: toggle.rowsWait,
      toggleRowsDownload: toggle.rowsDownload,
      toggleProfile: topSelfTime(profile),
      toggleShownMs: toggle.shown,
      toggleBytes: toggle.bytes,
      backMs: back.total,
      backShownMs: back.shown,
      backBytes: back.bytes,
      keystrokeMs,
      frameP50: scroll.p50,
      pollLongestTask: poll.longest,
      pollNote: poll.note,
      pollBytes: poll.bytes,
      domNodes,
      domNodesExpanded: Math.max(domExpanded, scroll.maxDom),
      heapBytes,
      heapExpanded,
    };
  } finally {
    await page.close();
  }
}
