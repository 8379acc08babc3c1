/** Status code of an error from @kubernetes/client-node (ApiException.code, Watch errors' statusCode). */
export function statusCodeOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const candidate =
    (error as { code?: unknown; statusCode?: unknown }).code ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' ? candidate : undefined;
}

/** One line for a log: ApiException messages carry the whole response, headers included. */
export function describeError(error: unknown): string {
  const code = statusCodeOf(error);
  const body = (error as { body?: unknown }).body;
  let detail = '';
  if (typeof body === 'string') {
    try {
      detail = String((JSON.parse(body) as { message?: unknown }).message ?? '');
    } catch {
      detail = body.slice(0, 200);
    }
  } else if (body !== null && typeof body === 'object') {
    detail = String((body as { message?: unknown }).message ?? '');
  }
  if (code !== undefined) return `HTTP ${code}${detail !== '' ? `: ${detail}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
