/**
 * The names a flow is addressed by, bounded: control points and service names come from requests
 * (Envoy metadata, context extensions, the Host header), so any client can choose them. The agent
 * refuses a control point outside these rules and ignores such a service name before either becomes
 * a map key, a metric label or a report entry; policy selectors are held to the same rules, so a
 * selector the agent could never match is an error where it is written.
 *
 * Both patterns are RE2 (they go into the CRD schema too).
 */

/** Longest control point: room for `<service>/<route>`-style names, short enough to bound labels. */
export const MAX_CONTROL_POINT_LENGTH = 128;

/** A DNS name's limit: 253 characters. */
export const MAX_SERVICE_NAME_LENGTH = 253;

/**
 * Letters, digits and `. _ : / -`, starting with a letter or digit: Aperture's `ingress`, `egress`,
 * SDK feature names such as `awesome-feature` or `checkout:submit`, per-route names such as `api/v1`.
 */
export const CONTROL_POINT_PATTERN = `^[A-Za-z0-9][A-Za-z0-9._:/-]{0,${MAX_CONTROL_POINT_LENGTH - 1}}$`;

/**
 * Host names, FQDNs and Envoy cluster names such as `reviews.default` or `outbound|80||checkout`:
 * the control-point characters and `|`, longer.
 */
export const SERVICE_NAME_PATTERN = `^[A-Za-z0-9][A-Za-z0-9._:/|-]{0,${MAX_SERVICE_NAME_LENGTH - 1}}$`;

const controlPoint = new RegExp(CONTROL_POINT_PATTERN);
const serviceName = new RegExp(SERVICE_NAME_PATTERN);

/** What a valid control point is, for error messages. */
export const CONTROL_POINT_RULE = `1-${MAX_CONTROL_POINT_LENGTH} characters of A-Z a-z 0-9 . _ : / -, starting with a letter or digit`;

/** What a valid service name is, for error messages. */
export const SERVICE_NAME_RULE = `1-${MAX_SERVICE_NAME_LENGTH} characters of A-Z a-z 0-9 . _ : / | -, starting with a letter or digit`;

export function isValidControlPoint(name: string): boolean {
  return name.length <= MAX_CONTROL_POINT_LENGTH && controlPoint.test(name);
}

export function isValidServiceName(name: string): boolean {
  return name.length <= MAX_SERVICE_NAME_LENGTH && serviceName.test(name);
}
