/**
 * Counters of a running proxy, read by tests and the e2e suite through `RunningProxy.stats` and
 * served by the admin endpoint (`/stats` as JSON, `/metrics` in Prometheus text format). Names
 * follow Envoy's ext_authz statistics (`ok`, `denied`, `error`, `failure_mode_allowed`).
 */

export interface ProxyStatsSnapshot {
  /** Downstream requests that finished (any outcome). */
  readonly requests: number;
  /** Checks answered OK; the request went upstream. */
  readonly extAuthzOk: number;
  /** Checks answered with a denial, by the HTTP status sent. */
  readonly extAuthzDenied: Readonly<Record<string, number>>;
  /** Checks that failed (agent down, deadline, gRPC error), by gRPC status name. */
  readonly extAuthzError: Readonly<Record<string, number>>;
  /** Failed checks whose request was allowed (fail-open). */
  readonly failureModeAllowed: number;
  /** Failed checks answered with `statusOnError`. */
  readonly failureModeDenied: number;
  /** Requests refused with 413 because the body exceeded `maxRequestBytes` without partial messages. */
  readonly payloadTooLarge: number;
  /** Requests whose upstream could not be reached or reset (answered 503 like Envoy). */
  readonly upstreamErrors: number;
  /** Requests past the route timeout (answered 504 like Envoy, or reset once the response had started). */
  readonly upstreamTimeouts: number;
  /** Access-log records produced. */
  readonly accessLogRecords: number;
  /** Export calls that succeeded / failed, and the records in the failed ones. */
  readonly accessLogExportsOk: number;
  readonly accessLogExportsFailed: number;
  readonly accessLogRecordsDropped: number;
}

type Mutable<T> = {
  -readonly [K in keyof T]: T[K] extends Readonly<Record<string, number>> ? Record<string, number> : T[K];
};

export class ProxyStats {
  readonly #counts: Mutable<ProxyStatsSnapshot> = {
    requests: 0,
    extAuthzOk: 0,
    extAuthzDenied: {},
    extAuthzError: {},
    failureModeAllowed: 0,
    failureModeDenied: 0,
    payloadTooLarge: 0,
    upstreamErrors: 0,
    upstreamTimeouts: 0,
    accessLogRecords: 0,
    accessLogExportsOk: 0,
    accessLogExportsFailed: 0,
    accessLogRecordsDropped: 0,
  };

  increment(name: Exclude<keyof ProxyStatsSnapshot, 'extAuthzDenied' | 'extAuthzError'>, by = 1): void {
    this.#counts[name] += by;
  }

  denied(status: number): void {
    const key = String(status);
    this.#counts.extAuthzDenied[key] = (this.#counts.extAuthzDenied[key] ?? 0) + 1;
  }

  error(grpcStatus: string): void {
    this.#counts.extAuthzError[grpcStatus] = (this.#counts.extAuthzError[grpcStatus] ?? 0) + 1;
  }

  /** A deep copy, safe to keep. */
  snapshot(): ProxyStatsSnapshot {
    return {
      ...this.#counts,
      extAuthzDenied: { ...this.#counts.extAuthzDenied },
      extAuthzError: { ...this.#counts.extAuthzError },
    };
  }
}

/** Prometheus text exposition of a snapshot. */
export function renderPrometheus(stats: ProxyStatsSnapshot): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, samples: readonly (readonly [string, number])[]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  counter('sluice_proxy_requests_total', 'Downstream requests finished.', [['', stats.requests]]);
  counter('sluice_proxy_ext_authz_ok_total', 'Checks answered OK.', [['', stats.extAuthzOk]]);
  counter(
    'sluice_proxy_ext_authz_denied_total',
    'Checks answered with a denial, by HTTP status.',
    Object.entries(stats.extAuthzDenied).map(([status, value]) => [`{status="${status}"}`, value] as const),
  );
  counter(
    'sluice_proxy_ext_authz_error_total',
    'Checks that failed, by gRPC status.',
    Object.entries(stats.extAuthzError).map(([code, value]) => [`{grpc_status="${code}"}`, value] as const),
  );
  counter('sluice_proxy_ext_authz_failure_mode_allowed_total', 'Failed checks allowed (fail-open).', [
    ['', stats.failureModeAllowed],
  ]);
  counter(
    'sluice_proxy_ext_authz_failure_mode_denied_total',
    'Failed checks answered with status_on_error.',
    [['', stats.failureModeDenied]],
  );
  counter('sluice_proxy_payload_too_large_total', 'Requests refused with 413.', [
    ['', stats.payloadTooLarge],
  ]);
  counter('sluice_proxy_upstream_errors_total', 'Requests whose upstream failed (503).', [
    ['', stats.upstreamErrors],
  ]);
  counter('sluice_proxy_upstream_timeouts_total', 'Requests past the route timeout (504, or reset).', [
    ['', stats.upstreamTimeouts],
  ]);
  counter('sluice_proxy_access_log_records_total', 'Access-log records produced.', [
    ['', stats.accessLogRecords],
  ]);
  counter('sluice_proxy_access_log_exports_total', 'Access-log Export calls.', [
    ['{result="ok"}', stats.accessLogExportsOk],
    ['{result="failed"}', stats.accessLogExportsFailed],
  ]);
  counter('sluice_proxy_access_log_records_dropped_total', 'Access-log records in failed exports.', [
    ['', stats.accessLogRecordsDropped],
  ]);
  return `${lines.join('\n')}\n`;
}
