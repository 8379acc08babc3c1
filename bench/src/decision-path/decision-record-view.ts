/**
 * The JSON of an `aperture.check_response` value, for the benches' sanity checks (never verified):
 * v2 `2.<base64url body>.<mac>` (what the agent writes) or v1 base64 JSON (agents of 0.1).
 */
export function decisionRecordJson(encoded: string): unknown {
  const body = encoded.startsWith('2.')
    ? Buffer.from(encoded.split('.')[1] ?? '', 'base64url')
    : Buffer.from(encoded, 'base64');
  return JSON.parse(body.toString('utf8')) as unknown;
}
