import { credentials, type ServiceError } from '@grpc/grpc-js';
import type { AgentConfig } from '@sluice/spec';
import { logsService } from '@sluice/spec/protos';
import { Agent, type AgentOptions } from '../../src/agent.js';
import type { CheckResponseMessage } from '../../src/check/check-response.js';
import { silentLogger } from '../../src/logging/agent-logger.js';
import { checkClient, type CheckOptions } from './check-client.js';
import { RecordSigner } from './record-signer.js';

export const baseConfig: AgentConfig = {
  grpcPort: 0,
  httpPort: 0,
  agentGroup: 'default',
  redisCallTimeoutMs: 50,
  reportIntervalMs: 1000,
  drainDelaySeconds: 0,
  accessLogMaxRecordsPerSecond: 20_000,
  acceptV1Records: false,
  maxRecordAgeMs: 300_000,
  logLevel: 'error',
  previewRedactedHeaders: ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'],
  bindAddress: '127.0.0.1',
  maxRequestHeadersKb: 60,
  maxRequestBytes: 8192,
  maxConcurrentStreams: 1024,
  previewMaxConcurrent: 8,
  previewMaxSampleBytes: 512 * 1024,
};

/**
 * An in-process agent on ephemeral loopback ports with real gRPC clients for Check and Export. Its
 * record key is in a temporary file; `signer` signs records with the same key.
 */
export async function startAgent(config: Partial<AgentConfig> = {}, options: Partial<AgentOptions> = {}) {
  const signer = new RecordSigner();
  const agent = new Agent({
    config: { ...baseConfig, recordKeyFile: signer.writeKeyFile(), ...config },
    host: '127.0.0.1',
    logger: silentLogger,
    drainGraceMs: 2000,
    ...options,
  });
  const ports = await agent.start();
  const Logs = logsService();
  const checks = checkClient(`127.0.0.1:${ports.grpcPort}`);
  const logsClient = new Logs(`127.0.0.1:${ports.grpcPort}`, credentials.createInsecure());

  function check(request: object, options: CheckOptions = {}): Promise<CheckResponseMessage> {
    return checks.check(request, options);
  }

  function exportLogs(request: object): Promise<object> {
    return new Promise((resolve, reject) => {
      (
        logsClient as unknown as {
          Export: (r: object, cb: (e: ServiceError | null, v: object) => void) => void;
        }
      ).Export(request, (error, value) => (error ? reject(error) : resolve(value)));
    });
  }

  async function http(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`http://127.0.0.1:${ports.httpPort}${path}`);
    return { status: response.status, body: await response.text() };
  }

  async function close(): Promise<void> {
    checks.close();
    logsClient.close();
    await agent.stop();
  }

  return { agent, ports, signer, check, exportLogs, http, close };
}

/** A CheckRequest as Envoy's ext_authz filter builds it. */
export function checkRequest(
  http: {
    method?: string;
    path?: string;
    host?: string;
    headers?: Record<string, string>;
    body?: string;
    size?: number;
  } = {},
  contextExtensions?: Record<string, string>,
) {
  return {
    attributes: {
      request: {
        http: {
          id: '1',
          method: http.method ?? 'GET',
          path: http.path ?? '/',
          host: http.host ?? 'service1-demo-app.demoapp.svc.cluster.local',
          scheme: 'http',
          protocol: 'HTTP/1.1',
          size: http.size ?? -1,
          headers: { ':method': http.method ?? 'GET', ':path': http.path ?? '/', ...(http.headers ?? {}) },
          body: http.body ?? '',
        },
      },
      ...(contextExtensions ? { context_extensions: contextExtensions } : {}),
    },
  };
}

/** An OTLP logs export with one record carrying the given attributes, as Envoy sends them. */
export function accessLogExport(attributes: Record<string, string>) {
  return {
    resource_logs: [
      {
        scope_logs: [
          {
            log_records: [
              {
                body: { string_value: 'GET' },
                attributes: Object.entries(attributes).map(([key, value]) => ({
                  key,
                  value: { string_value: value },
                })),
              },
            ],
          },
        ],
      },
    ],
  };
}
