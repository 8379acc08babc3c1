/**
 * The load generator only ever targets this machine: it exists to exercise local demos and tests,
 * and must not be pointable at someone else's service.
 */

/**
 * @returns the parsed URL.
 * @throws Error naming the URL when it is not http(s) on localhost, 127.0.0.0/8 or [::1].
 */
export function loopbackTarget(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`load target "${url}" is not a URL; expected e.g. http://127.0.0.1:10000`);
  }
  const host = parsed.hostname;
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new Error(`load target "${url}" is not allowed: only http(s) on localhost, 127.0.0.0/8 or [::1]`);
  }
  return parsed;
}
