#!/usr/bin/env node
/**
 * Dashboard benchmark: bundle size (raw and gzip) and the time to first full
 * render of a large cluster (default 5 nodes x 500 units) in headless
 * Debian chromium, as the median of several page loads.
 *
 * "Full render": every node card is in the DOM, every element has finished
 * updating, and the rows in view are drawn and painted (a large node's rows
 * are a virtual list: rows further down are rendered when scrolled near).
 * Reported both from navigation start and from the moment the data was
 * received (the poller's `jm-cluster-received` mark), which excludes the network.
 *
 * Usage: node scripts/bench-ui.mjs [--nodes 5] [--units 500] [--runs 5] [--json]
 * Importable: `await benchUi({ nodes, units, runs })`.
 */
import { pathToFileURL } from 'node:url';
import { buildUi } from './build-ui.mjs';
import { launchChromium, measureRender, startPreviewServer } from './ui-preview.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchUi({ nodes = 5, units = 500, runs = 5 } = {}) {
  const size = await buildUi({ ifNeeded: true, quiet: true });
  const server = await startPreviewServer({ scenario: 'large', nodes, units });
  const browser = await launchChromium();
  const fromNav = [];
  const fromData = [];
  let bodyBytes = 0;
  try {
    for (let i = 0; i < runs + 1; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${server.origin}/`);
      const done = await measureRender(page, nodes);
      const dataAt = await page.evaluate(() => performance.getEntriesByName('jm-cluster-received').at(-1)?.startTime ?? NaN);
      // The first load warms the browser's caches (bundle compile); it is not counted.
      if (i > 0) {
        fromNav.push(done);
        fromData.push(done - dataAt);
      }
      await page.close();
    }
    // The page fetches in a worker (not in the page's resource timing): the body is asked once more here.
    bodyBytes = (await (await fetch(`${server.origin}/api/cluster?range=24h`)).arrayBuffer()).byteLength;
  } finally {
    await browser.close();
    await server.close();
  }
  return {
    bundle: { bytes: size.bytes, gzipBytes: size.gzipBytes },
    cluster: { nodes, units, rows: nodes * units, responseBytes: bodyBytes },
    runs,
    renderFromNavigationMs: { median: Math.round(median(fromNav)), min: Math.round(Math.min(...fromNav)) },
    renderFromDataMs: { median: Math.round(median(fromData)), min: Math.round(Math.min(...fromData)) },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const arg = (name, dflt) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  benchUi({ nodes: arg('nodes', 5), units: arg('units', 500), runs: arg('runs', 5) })
    .then((r) => {
      if (argv.includes('--json')) {
        console.log(JSON.stringify(r, null, 2));
        return;
      }
      const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
      console.log(`bundle: ${kib(r.bundle.bytes)} raw, ${kib(r.bundle.gzipBytes)} gzip`);
      console.log(
        `first full render, ${r.cluster.nodes} nodes x ${r.cluster.units} units (${(r.cluster.responseBytes / 1e6).toFixed(1)} MB JSON), median of ${r.runs}:`,
      );
      console.log(`  from navigation start: ${r.renderFromNavigationMs.median} ms (min ${r.renderFromNavigationMs.min})`);
      console.log(`  from data arrival:     ${r.renderFromDataMs.median} ms (min ${r.renderFromDataMs.min})`);
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
