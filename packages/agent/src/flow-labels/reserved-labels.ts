/**
 * Label keys only the agent sets: the request's own attributes (`http.*`, headers included), the
 * names Aperture and Sluice use for what the agent derives (`aperture.*`, `sluice.*`), and the flow's
 * address (control point, service, agent group). Baggage is the client's words, so a baggage member
 * with one of these keys is ignored: `baggage: http.path=/cheap` must not move a request out of a
 * limit on `http.path=/expensive`.
 */
const RESERVED_PREFIXES = ['http.', 'aperture.', 'sluice.'] as const;
const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'control_point',
  'control-point',
  'controlPoint',
  'service',
  'services',
  'agent_group',
  'agent-group',
]);

export function isReservedLabelKey(key: string): boolean {
  const lower = key.toLowerCase();
  return (
    RESERVED_KEYS.has(key) ||
    RESERVED_KEYS.has(lower) ||
    RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))
  );
}
