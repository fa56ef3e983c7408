/**
 * Section "ui": the dashboard's bundle size and first full render of
 * 5 nodes x 500 units in headless Debian chromium, from scripts/bench-ui.mjs
 * (the dashboard's own benchmark), kept in the same report.
 */
import { createReport, fmt } from './lib.mjs';

export async function run({ log = () => {}, nodes = 5, units = 500, runs = 5 } = {}) {
  const report = createReport(`6. Dashboard: bundle and first render of ${nodes} x ${units} units`);
  const { benchUi } = await import('../bench-ui.mjs');
  log(`benchUi({ nodes: ${nodes}, units: ${units}, runs: ${runs} })`);
  const r = await benchUi({ nodes, units, runs });
  report.row('bundle (raw / gzip)', `${fmt.bytes(r.bundle.bytes)} / ${fmt.bytes(r.bundle.gzipBytes)}`, '');
  report.row('first full render from navigation, median', fmt.ms(r.renderFromNavigationMs.median), '');
  report.row('  min', fmt.ms(r.renderFromNavigationMs.min), '');
  report.row('first full render from data arrival, median', fmt.ms(r.renderFromDataMs.median), '');
  report.row('/api/cluster response rendered', `${fmt.n(r.cluster.rows)} rows, ${fmt.bytes(r.cluster.responseBytes)} transferred`, '');
  report.note(`median of ${r.runs} page loads after one warm-up load, headless chromium 1280x900, served by scripts/ui-preview.mjs ("large" scenario); "full render" = every card rendered, every element done updating and the rows in view painted (large nodes are virtual lists; see scripts/bench-ui.mjs). No baseline in the same run: the original's dashboard is not part of this repository.`);
  return report;
}
