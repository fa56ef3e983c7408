/**
 * `<jm-timeline>`: the 80 buckets of one unit (or of a DNS probe) as small
 * rounded bars, with a tooltip per bucket for pointer and keyboard.
 *
 * The bars are ONE small SVG: a run of equal buckets is a single rect
 * filled with a repeating "rounded bar" pattern, so a timeline costs a
 * handful of nodes however many buckets it has (2,500 rows stay cheap).
 * The tooltip exists only while a bucket is active, in the top layer
 * (popover) so no scroll container or containment clips it.
 */
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { attributePoller, type ClusterPoller } from './cluster-poller.js';
import { formatSpan, formatTimeOfDay } from './format.js';
import { timelineStyles } from './jm-timeline.styles.js';
import { theme } from './theme.js';
import type { RangeName, TimelineClass, TimelinePoint } from './types.js';

type Tone = 'ok' | 'warn' | 'error' | 'missing';

const TONE: Readonly<Record<TimelineClass, Tone>> = {
  'state-success': 'ok',
  'state-warning': 'warn',
  'state-error': 'error',
  'state-missing': 'missing',
};

const FALLBACK_LABEL: Readonly<Record<Tone, string>> = {
  ok: 'Operational',
  warn: 'Transitioning',
  error: 'Unavailable',
  missing: 'No data',
};

/** Width of one bucket in SVG user units; the bar is 7 of them, the gap 3. */
const SLOT = 10;
const HEIGHT = 24;

/** One rounded bar per slot, repeated along a run; only the tones a timeline uses are emitted. */
const PATTERNS: Readonly<Record<Tone, unknown>> = {
  ok: svg`<pattern id="p-ok" width=${SLOT} height=${HEIGHT} patternUnits="userSpaceOnUse"><rect class="ok" x="1.5" width="7" height=${HEIGHT} rx="2.5"></rect></pattern>`,
  warn: svg`<pattern id="p-warn" width=${SLOT} height=${HEIGHT} patternUnits="userSpaceOnUse"><rect class="warn" x="1.5" width="7" height=${HEIGHT} rx="2.5"></rect></pattern>`,
  error: svg`<pattern id="p-error" width=${SLOT} height=${HEIGHT} patternUnits="userSpaceOnUse"><rect class="error" x="1.5" width="7" height=${HEIGHT} rx="2.5"></rect></pattern>`,
  missing: svg`<pattern id="p-missing" width=${SLOT} height=${HEIGHT} patternUnits="userSpaceOnUse"><rect class="missing" x="1.5" width="7" height=${HEIGHT} rx="2.5"></rect></pattern>`,
};

interface Run {
  tone: Tone;
  start: number;
  length: number;
}

function toneOf(point: TimelinePoint | undefined): Tone {
  return (point && TONE[point.className]) ?? 'missing';
}

/** Consecutive buckets of one tone, merged. */
function runsOf(points: readonly TimelinePoint[]): Run[] {
  const runs: Run[] = [];
  points.forEach((p, i) => {
    const tone = toneOf(p);
    const last = runs[runs.length - 1];
    if (last && last.tone === tone) last.length += 1;
    else runs.push({ tone, start: i, length: 1 });
  });
  return runs;
}

/** One line per bucket for screen readers and the live region. */
function bucketText(point: TimelinePoint): string {
  const tone = toneOf(point);
  const details = (point.details ?? [])
    .map((d) => [formatTimeOfDay(d.timestamp), d.state, d.error].filter(Boolean).join(' '))
    .join('; ');
  return `${formatSpan(point.start, point.end)}: ${point.label || FALLBACK_LABEL[tone]}${details ? `. ${details}` : ''}`;
}

export class JmTimeline extends LitElement {
  static override properties = {
    points: { attribute: false },
    label: { type: String },
    baseUrl: { type: String, attribute: 'base-url' },
    nodeId: { type: String, attribute: 'node-id' },
    serviceId: { type: String, attribute: 'service-id' },
    range: { type: String },
    apiKey: { type: String, attribute: 'api-key' },
    active: { state: true },
  };

  /** The buckets to draw (normally 80, oldest first). Set by the parent, or fetched in attribute mode. */
  points: readonly TimelinePoint[] = [];
  /** What the timeline is of, for its accessible name (e.g. the unit's name). */
  label = '';
  /**
   * Attribute mode: with `base-url` (may be '' for this origin) and `node-id`,
   * the element fetches `/api/cluster` itself and shows the unit `service-id`
   * of that node, or the node's DNS probe when `service-id` is absent.
   */
  baseUrl: string | undefined = undefined;
  nodeId = '';
  serviceId: string | undefined = undefined;
  /** Range in attribute mode: `24h` (default) or `30d`. */
  range: RangeName = '24h';
  /** Attribute mode: sent as a Bearer token. */
  apiKey: string | undefined = undefined;

  /** Index of the bucket under the pointer or keyboard cursor. */
  protected active: number | null = null;

  private poller: ClusterPoller | null = null;
  private runs: Run[] = [];
  private tones: Tone[] = [];
  private summary = '';
  private summarized: readonly TimelinePoint[] | null = null;
  private announce = '';
  private focused = false;
  private readonly reposition = (): void => this.placeTip();

  static override styles = [theme, timelineStyles];

  override connectedCallback(): void {
    this.poller ??= attributePoller(this);
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTracking();
  }

  /** The points shown: fetched ones in attribute mode, else the property. */
  private shownPoints(): readonly TimelinePoint[] {
    if (!this.poller) return this.points;
    const node = this.poller.data?.nodes.find((n) => n.node.id === this.nodeId);
    if (!node) return [];
    if (this.serviceId === undefined) return node.connectivity_timeline ?? [];
    return node.service_timelines?.find((t) => t.service_id === this.serviceId)?.timeline ?? [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.poller && (changed.has('range') || changed.has('baseUrl') || changed.has('nodeId')) && this.hasUpdated) {
      this.poller.refresh('config');
    }
    const points = this.shownPoints();
    // Hover and keyboard moves re-render often; the bars only change with the data.
    if (points === this.summarized && !changed.has('label')) return;
    this.summarized = points;
    this.runs = runsOf(points);
    const counts = new Map<Tone, number>();
    for (const r of this.runs) counts.set(r.tone, (counts.get(r.tone) ?? 0) + r.length);
    this.tones = [...counts.keys()];
    const parts = (['ok', 'warn', 'error', 'missing'] as const)
      .filter((t) => counts.get(t))
      .map((t) => `${counts.get(t)} ${FALLBACK_LABEL[t].toLowerCase()}`);
    const last = points[points.length - 1];
    this.summary =
      `${this.label ? `${this.label}: ` : ''}timeline of ${points.length} periods` +
      (points.length ? `, ${formatSpan(points[0]?.start, last?.end)}: ${parts.join(', ')}.` : '.') +
      (last ? ` Latest: ${last.label || FALLBACK_LABEL[toneOf(last)]}. Arrow keys show each period.` : '');
    if (this.active !== null && this.active >= points.length) this.active = points.length ? points.length - 1 : null;
  }

  protected override render(): unknown {
    const points = this.shownPoints();
    if (points.length === 0) {
      const text = this.poller?.failure ? this.poller.failure.message : this.poller?.loading ? 'Loading…' : 'No data';
      return html`<span class="empty">${text}</span>`;
    }
    const n = points.length;
    const active = this.active;
    const point = active === null ? undefined : points[active];
    return html`<div
        class="track"
        tabindex="0"
        role="img"
        aria-roledescription="timeline"
        aria-label=${this.summary}
        @pointermove=${this.onPointer}
        @pointerdown=${this.onPointer}
        @pointerleave=${this.onLeave}
        @focus=${this.onFocus}
        @blur=${this.onBlur}
        @keydown=${this.onKey}
      >
        <svg viewBox="0 0 ${n * SLOT} ${HEIGHT}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <defs>${this.tones.map((t) => PATTERNS[t])}</defs>
          ${this.runs.map(
            (r) =>
              svg`<rect x=${r.start * SLOT} width=${r.length * SLOT} height=${HEIGHT} fill="url(#p-${r.tone})"></rect>`,
          )}
          ${active === null
            ? nothing
            : svg`<rect class="cursor" x=${active * SLOT + 0.5} y="0.5" width=${SLOT - 1} height=${HEIGHT - 1} rx="3"></rect>`}
        </svg>
      </div>
      ${point ? this.renderTip(point) : nothing}
      <span class="sr-only" aria-live="polite">${this.announce}</span>`;
  }

  private renderTip(point: TimelinePoint): unknown {
    const tone = toneOf(point);
    const details = point.details ?? [];
    return html`<div class="tip" popover="manual" role="tooltip">
      <div class="tip-head"><span class="dot ${tone}"></span>${point.label || FALLBACK_LABEL[tone]}</div>
      <div class="tip-span">${formatSpan(point.start, point.end)}</div>
      ${details.length
        ? html`<ul>
            ${details.map(
              (d) =>
                html`<li>
                  <time>${formatTimeOfDay(d.timestamp)}</time>${d.state ?? ''}${d.error ? ` — ${d.error}` : ''}
                </li>`,
            )}
          </ul>`
        : nothing}
    </div>`;
  }

  protected override updated(): void {
    const tip = this.renderRoot.querySelector<HTMLElement>('.tip');
    if (!tip) {
      this.stopTracking();
      return;
    }
    if (typeof tip.showPopover === 'function' && !tip.matches(':popover-open')) {
      try {
        tip.showPopover();
      } catch {
        // Not in a document yet, or already shown by a racing update: position anyway.
      }
    }
    this.placeTip();
    window.addEventListener('scroll', this.reposition, { capture: true, passive: true });
    window.addEventListener('resize', this.reposition, { passive: true });
  }

  private stopTracking(): void {
    window.removeEventListener('scroll', this.reposition, { capture: true });
    window.removeEventListener('resize', this.reposition);
  }

  /** Above the active bar, kept inside the viewport; below it when there is no room above. */
  private placeTip(): void {
    const tip = this.renderRoot.querySelector<HTMLElement>('.tip');
    const track = this.renderRoot.querySelector<HTMLElement>('.track');
    const n = this.shownPoints().length;
    if (!tip || !track || this.active === null || n === 0) return;
    const box = track.getBoundingClientRect();
    const x = box.left + ((this.active + 0.5) * box.width) / n;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const left = Math.min(Math.max(8, x - w / 2), window.innerWidth - w - 8);
    const top = box.top - h - 8 >= 8 ? box.top - h - 8 : box.bottom + 8;
    tip.style.left = `${Math.round(left)}px`;
    tip.style.top = `${Math.round(top)}px`;
  }

  private indexAt(clientX: number): number | null {
    const track = this.renderRoot.querySelector<HTMLElement>('.track');
    const n = this.shownPoints().length;
    if (!track || n === 0) return null;
    const box = track.getBoundingClientRect();
    if (box.width <= 0) return null;
    return Math.min(n - 1, Math.max(0, Math.floor(((clientX - box.left) / box.width) * n)));
  }

  private readonly onPointer = (e: PointerEvent): void => {
    const i = this.indexAt(e.clientX);
    if (i !== this.active) this.active = i;
  };

  /** A mouse leaving hides the tip, unless the keyboard is driving it. */
  private readonly onLeave = (e: PointerEvent): void => {
    const keyboard = this.focused && (e.currentTarget as HTMLElement).matches(':focus-visible');
    if (e.pointerType === 'mouse' && !keyboard) this.active = null;
  };

  private readonly onFocus = (): void => {
    this.focused = true;
    if (this.active === null) this.active = this.shownPoints().length - 1;
  };

  private readonly onBlur = (): void => {
    this.focused = false;
    this.active = null;
    this.announce = '';
  };

  private readonly onKey = (e: KeyboardEvent): void => {
    const points = this.shownPoints();
    const n = points.length;
    if (n === 0) return;
    const current = this.active ?? n - 1;
    let next: number | null = current;
    switch (e.key) {
      case 'ArrowLeft':
      case 'ArrowDown':
        next = Math.max(0, current - 1);
        break;
      case 'ArrowRight':
      case 'ArrowUp':
        next = Math.min(n - 1, current + 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      case 'PageUp':
        next = Math.max(0, current - 10);
        break;
      case 'PageDown':
        next = Math.min(n - 1, current + 10);
        break;
      case 'Escape':
        next = null;
        break;
      default:
        return;
    }
    e.preventDefault();
    this.active = next;
    const p = next === null ? undefined : points[next];
    this.announce = p ? bucketText(p) : '';
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-timeline': JmTimeline;
  }
}
