/**
 * Matches a path against a template such as `/tenants/{tenant}/orders` and returns the named
 * segments, or undefined when the path does not fit. The query string is ignored; a `{name}`
 * segment matches exactly one non-empty path segment.
 */
export function matchPathTemplate(template: string, path: string): Record<string, string> | undefined {
  const queryAt = path.indexOf('?');
  const bare = queryAt >= 0 ? path.slice(0, queryAt) : path;
  const templateSegments = template.split('/');
  const pathSegments = bare.split('/');
  if (templateSegments.length !== pathSegments.length) return undefined;
  const captured: Record<string, string> = {};
  for (let i = 0; i < templateSegments.length; i++) {
    const expected = templateSegments[i] ?? '';
    const actual = pathSegments[i] ?? '';
    const name = /^\{([^{}]+)\}$/.exec(expected)?.[1];
    if (name !== undefined) {
      if (actual === '') return undefined;
      try {
        captured[name] = decodeURIComponent(actual);
      } catch {
        captured[name] = actual;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return captured;
}
