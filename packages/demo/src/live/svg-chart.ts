/**
 * The chart of a live-demo run as a standalone SVG (no chart library): offered and admitted requests
 * per second for each workload (top), upstream p90 latency against the setpoint (middle) and the load
 * multiplier (bottom), with the stages shaded. Pure: the same run gives the same bytes.
 */
import type { RunSecond } from './run-record.js';

const WIDTH = 960;
const PANEL_HEIGHT = 170;
const GAP = 40;
const LEFT = 70;
const RIGHT = 20;
const TOP = 50;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const STAGE_FILL: Record<string, string> = { overload: '#fde8e8', recovery: '#e8f4fd', baseline: '#f4f4f4' };

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly values: readonly (number | undefined)[];
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const finite = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function panel(options: {
  readonly index: number;
  readonly title: string;
  readonly unit: string;
  readonly seconds: readonly RunSecond[];
  readonly series: readonly Series[];
  readonly max?: number;
}): string {
  const top = TOP + options.index * (PANEL_HEIGHT + GAP);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const count = Math.max(1, options.seconds.length);
  const all = options.series.flatMap((series) => series.values.filter(finite));
  const max = options.max ?? niceMax(Math.max(0, ...all));
  const x = (index: number) => LEFT + (plotWidth * index) / Math.max(1, count - 1);
  const y = (value: number) => top + PANEL_HEIGHT - (PANEL_HEIGHT * Math.min(value, max)) / max;
  const parts: string[] = [];
  // Stage shading.
  let from = 0;
  options.seconds.forEach((second, index) => {
    const next = options.seconds[index + 1];
    if (next === undefined || next.stage !== second.stage) {
      parts.push(
        `<rect x="${x(from).toFixed(1)}" y="${top}" width="${(x(index) - x(from)).toFixed(1)}" height="${PANEL_HEIGHT}" fill="${STAGE_FILL[second.stage] ?? '#ffffff'}"/>`,
      );
      if (options.index === 0)
        parts.push(
          `<text x="${((x(from) + x(index)) / 2).toFixed(1)}" y="${top - 6}" text-anchor="middle" font-size="11" fill="#555">${escape(second.stage)}</text>`,
        );
      from = index;
    }
  });
  // Axes and grid.
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const value = max * fraction;
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${LEFT - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#333">${Number(value.toFixed(2))}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT}" y="${top - 22}" font-size="13" font-weight="bold" fill="#222">${escape(options.title)} (${escape(options.unit)})</text>`,
  );
  // Lines: a gap where a value is missing.
  for (const series of options.series) {
    const segments: string[] = [];
    let current = '';
    series.values.forEach((value, index) => {
      if (!finite(value)) {
        if (current) segments.push(current);
        current = '';
        return;
      }
      current += `${current ? ' L' : 'M'}${x(index).toFixed(1)},${y(value).toFixed(1)}`;
    });
    if (current) segments.push(current);
    for (const d of segments)
      parts.push(
        `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.8"${series.dashed ? ' stroke-dasharray="5,4"' : ''}/>`,
      );
  }
  // Legend.
  options.series.forEach((series, index) => {
    const lx = WIDTH - RIGHT - 180;
    const ly = top + 14 + index * 15;
    parts.push(
      `<line x1="${lx}" x2="${lx + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5,4"' : ''}/>`,
    );
    parts.push(`<text x="${lx + 26}" y="${ly}" font-size="11" fill="#222">${escape(series.label)}</text>`);
  });
  // Time axis.
  const step = count > 60 ? 20 : 10;
  for (let index = 0; index < count; index += step) {
    parts.push(
      `<text x="${x(index).toFixed(1)}" y="${top + PANEL_HEIGHT + 14}" text-anchor="middle" font-size="10" fill="#555">${options.seconds[index]?.second ?? index}s</text>`,
    );
  }
  return parts.join('\n');
}

export function renderRunChart(
  seconds: readonly RunSecond[],
  options: { readonly title: string; readonly workloads: readonly string[] },
): string {
  const workloadSeries: Series[] = options.workloads.flatMap((name, index) => {
    const color = COLORS[index % COLORS.length] ?? '#000';
    return [
      {
        label: `${name} offered`,
        color,
        dashed: true,
        values: seconds.map((second) => second.workloads[name]?.offered),
      },
      { label: `${name} admitted`, color, values: seconds.map((second) => second.workloads[name]?.admitted) },
    ];
  });
  const height = TOP + 3 * (PANEL_HEIGHT + GAP) + 10;
  const body = [
    panel({ index: 0, title: 'Requests per second', unit: 'req/s', seconds, series: workloadSeries }),
    panel({
      index: 1,
      title: 'Upstream latency',
      unit: 'ms',
      seconds,
      series: [
        { label: 'upstream p90', color: '#d62728', values: seconds.map((second) => second.upstreamP90Ms) },
        { label: 'upstream p50', color: '#ff7f0e', values: seconds.map((second) => second.upstreamP50Ms) },
        {
          label: 'setpoint',
          color: '#333333',
          dashed: true,
          values: seconds.map((second) => second.setpointMs),
        },
      ],
    }),
    panel({
      index: 2,
      title: 'Load multiplier (gap = pass-through)',
      unit: 'LM',
      seconds,
      max: 2,
      series: [
        {
          label: 'load multiplier',
          color: '#2ca02c',
          values: seconds.map((second) => second.loadMultiplier),
        },
      ],
    }),
  ].join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="16" font-weight="bold" fill="#111">${escape(options.title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
