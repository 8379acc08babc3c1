import type { FlowLabel } from './flow-labels.js';

/** W3C baggage limits: whole header 8192 bytes, 180 members; past them members are ignored. */
const MAX_BAGGAGE_LENGTH = 8192;
const MAX_MEMBERS = 180;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function decodeValue(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Parses a W3C `baggage` header into telemetry labels. Members are `key=value[;properties]`,
 * comma-separated; values are percent-decoded; properties are ignored. A malformed member is
 * skipped rather than failing the whole header: baggage is set by clients we do not control.
 * @see https://www.w3.org/TR/baggage/#header-content
 */
export function parseBaggage(header: string | undefined): FlowLabel[] {
  if (header === undefined || header === '') return [];
  const labels: FlowLabel[] = [];
  for (const member of header.slice(0, MAX_BAGGAGE_LENGTH).split(',').slice(0, MAX_MEMBERS)) {
    const pair = member.split(';', 1)[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const key = pair.slice(0, equals).trim();
    const value = decodeValue(pair.slice(equals + 1).trim());
    if (!TOKEN.test(key) || value === undefined) continue;
    labels.push({ key, value, telemetry: true });
  }
  return labels;
}

function formatMember(label: FlowLabel): string {
  return `${label.key}=${encodeURIComponent(label.value)}`;
}

/** Formats labels as baggage members, percent-encoding values (keys are already label names). */
export function formatBaggage(labels: readonly FlowLabel[]): string {
  return labels.map(formatMember).join(',');
}

/**
 * The upstream `baggage` header value: existing members first, then ours appended, or undefined when
 * nothing is added. A member that would take the header past the W3C limits (8192 characters, 180
 * members) is left out, as the specification asks, so a label taken from a huge body or path never
 * grows the header (or the CheckResponse carrying it) without bound.
 */
export function appendBaggage(existing: string | undefined, added: readonly FlowLabel[]): string | undefined {
  const base = existing === undefined || existing.trim() === '' ? '' : existing;
  let header = base;
  let members = base === '' ? 0 : base.split(',').length;
  for (const label of added) {
    const member = formatMember(label);
    const next = header === '' ? member : `${header},${member}`;
    if (next.length > MAX_BAGGAGE_LENGTH || members >= MAX_MEMBERS) continue;
    header = next;
    members++;
  }
  return header === base ? undefined : header;
}
