/**
 * Test helper: every PromQL expression of a Grafana dashboard (panel targets,
 * rows included, and query variables), with Grafana's variables replaced by
 * what Grafana would send when "All" is selected.
 */

export interface DashboardQuery {
  /** Panel title and refId, or the variable's name. */
  where: string;
  expr: string;
  /** For label_values(expr, label): the label the variable lists. */
  label?: string;
}

/** Grafana's built-in and our variables, as sent with "All" selected over a day. */
const VARIABLES: Record<string, string> = {
  node: '.*',
  target: '.*',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '24h',
};

function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
    const value = VARIABLES[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

type Panel = { title?: string; targets?: { expr?: string; refId?: string }[]; panels?: Panel[] };
type Variable = { name: string; type: string; query?: string | { query?: string } };

/** Every query of the dashboard JSON. */
export function dashboardQueries(dashboard: { panels?: Panel[]; templating?: { list?: Variable[] } }): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const walk = (panels: Panel[] | undefined): void => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) {
        if (t.expr !== undefined) out.push({ where: `panel "${p.title ?? '?'}" ${t.refId ?? ''}`, expr: substitute(t.expr) });
      }
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : v.query?.query ?? '';
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(text.trim());
    if (m === null) throw new Error(`variable ${v.name}: only label_values(expr, label) is understood, got ${text}`);
    out.push({ where: `variable ${v.name}`, expr: substitute(m[1]!), label: m[2]! });
  }
  return out;
}
