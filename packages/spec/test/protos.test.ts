/**
 * Tests for src/proto: the shared loader, the include path, the AgentSync
 * contract, and wire compatibility with an independent encoder.
 *
 * Golden bytes in test/golden/protos/*.bin were produced by protoc from the
 * .txtpb files next to them (make-golden.sh). Each case here builds the same
 * message as a JS object and encodes it with our loader, both through the
 * protobufjs Root and through the gRPC serializer that handlers and clients
 * use; the bytes must match exactly.
 *
 * Two encoder differences the objects below avoid on purpose:
 * - map entries: protobufjs writes them in insertion order, protoc in text
 *   order (or key order when deterministic), so every map is built in
 *   ascending key order, as the .txtpb files list it;
 * - zero values: protobufjs writes a scalar that is present on the object even
 *   when it is 0/''/false, protoc never does, so zero fields are left out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  type Client,
  type MethodDefinition,
  type ServiceClientConstructor,
  status,
  type ServiceError,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  AGENT_SYNC_PROTO,
  ENVOY_OTEL_ACCESS_LOG_PROTO,
  EXT_AUTHZ_PROTO,
  OTLP_LOGS_SERVICE_PROTO,
  PROTO_LOADER_OPTIONS,
  protoIncludeDirs,
  protoLoaderOptions,
  SLUICE_PROTOS_DIR,
  agentSyncClientConstructor,
  agentSyncService,
  authorizationService,
  loadGrpcPackage,
  loadProtobufRoot,
  logsService,
  lookupService,
  notLeaderRefusal,
  notLeaderStatus,
  type AgentSyncHandlers,
} from '../src/protos.js';
import type { AgentMessage, ControllerMessage } from '../src/index.js';
import { AGENT_SYNC_CONNECT_PATH } from '../src/proto/sync-service.js';
import { NOT_LEADER_METADATA_KEY } from '../src/proto/sync-refusal.js';

const goldenDir = new URL('./golden/protos/', import.meta.url);

function golden(name: string): Buffer {
  return readFileSync(new URL(`${name}.bin`, goldenDir));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Encode `object` as `typeName` with the shared protobufjs Root. */
function encodeWithRoot(typeName: string, object: object): Uint8Array {
  const type = loadProtobufRoot().lookupType(typeName);
  return type.encode(type.fromObject(object)).finish();
}

/** Method `name` of `service`, failing the test if it is missing. */
function method(service: ServiceClientConstructor, name: string): MethodDefinition<object, object> {
  const definition = service.service[name];
  assert.ok(definition, `${service.serviceName} has no method ${name}`);
  return definition;
}

// --- the golden messages as JS objects (same content as the .txtpb files) ---

const checkRequest = {
  attributes: {
    source: {
      address: { socket_address: { address: '10.1.2.3', port_value: 52814 } },
      principal: 'spiffe://cluster.local/ns/shop/sa/frontend',
    },
    destination: {
      address: { socket_address: { address: '10.1.4.5', port_value: 8080 } },
      service: 'checkout.shop.svc.cluster.local',
    },
    request: {
      time: { seconds: 1735689600, nanos: 250000000 },
      http: {
        id: '8c4a1f0e-6a5b-4c2d-9e1f-0a1b2c3d4e5f',
        method: 'POST',
        // Ascending key order, as in the .txtpb (see the file comment).
        headers: {
          ':authority': 'checkout.shop.svc.cluster.local',
          ':method': 'POST',
          ':path': '/api/orders?expedite=1',
          'user-agent': 'curl/8.5.0',
          'x-request-id': '8c4a1f0e-6a5b-4c2d-9e1f-0a1b2c3d4e5f',
        },
        path: '/api/orders?expedite=1',
        host: 'checkout.shop.svc.cluster.local',
        scheme: 'http',
        size: 42,
        protocol: 'HTTP/1.1',
      },
    },
    context_extensions: { 'control-point': 'ingress', tenant: 'acme' },
  },
};

function stringAttribute(key: string, value: string): object {
  return { key, value: { string_value: value } };
}

const exportLogsRequest = {
  resource_logs: [
    {
      resource: {
        attributes: [
          stringAttribute('log_name', 'ingress'),
          stringAttribute('zone_name', 'eu-west-1a'),
          stringAttribute('cluster_name', 'inbound|8080||'),
          stringAttribute('node_name', 'sidecar~10.1.4.5~checkout-7d9f-abcde.shop~shop.svc.cluster.local'),
        ],
      },
      scope_logs: [
        {
          scope: { name: 'envoy', version: '1.32.0' },
          log_records: [
            {
              // Beyond 2^53: passed as a decimal string so protobufjs encodes it exactly.
              time_unix_nano: '1735689600250000000',
              body: { string_value: 'POST' },
              attributes: [
                stringAttribute('aperture.source', 'envoy'),
                stringAttribute('http.status_code', '200'),
                stringAttribute('authz_duration', '3'),
                stringAttribute('RESPONSE_DURATION', '41'),
                stringAttribute('BYTES_SENT', '1532'),
              ],
            },
            {
              time_unix_nano: '1735689600500000000',
              body: { string_value: 'GET' },
              attributes: [
                stringAttribute('aperture.source', 'envoy'),
                stringAttribute('http.status_code', '503'),
                stringAttribute('authz_duration', '-'),
                stringAttribute('RESPONSE_DURATION', '0'),
                stringAttribute('BYTES_SENT', '19'),
              ],
            },
          ],
        },
      ],
    },
  ],
};

// Typed as the hand-written contract: if sync-messages.ts drifts from
// sync.proto, either this stops compiling or the bytes stop matching.
const agentReport: AgentMessage = {
  payload: 'report',
  report: {
    sequence: 42,
    agent_time_ms: 1735689601000,
    interval_ms: 1000,
    flux_meters: [
      {
        flux_meter_name: 'checkout-latency',
        bucket_bounds_ms: [5, 25, 100],
        series: [
          {
            labels: { decision_type: 'accepted', flow_status: 'OK', status_code: '200' },
            count: 10,
            latency_sum_ms: 187.5,
            bucket_counts: [2, 6, 2, 0],
          },
          {
            labels: { decision_type: 'rejected', flow_status: 'Error', status_code: '503' },
            count: 3,
            latency_sum_ms: 0.75,
            bucket_counts: [3, 0, 0, 0],
          },
        ],
      },
    ],
    token_counters: [
      {
        policy_name: 'checkout-protection',
        policy_hash: 'sha256:3f2a9c',
        component_id: 'root.0.load-scheduler',
        workloads: [
          { workload: 'premium', incoming_tokens: 4, accepted_tokens: 4 },
          { workload: 'default', incoming_tokens: 9, accepted_tokens: 6, rejected_tokens: 3 },
        ],
      },
    ],
    control_points: [
      {
        service: 'checkout.shop.svc.cluster.local',
        control_point: 'ingress',
        type: 'CONTROL_POINT_TYPE_HTTP',
      },
    ],
  },
};

const controllerDecisions: ControllerMessage = {
  payload: 'decisions',
  decisions: {
    decisions: [
      {
        policy_name: 'checkout-protection',
        policy_hash: 'sha256:3f2a9c',
        component_id: 'root.0.load-scheduler',
        load_multiplier: 0.625,
        ttl_ms: 30000,
      },
      {
        policy_name: 'search-protection',
        policy_hash: 'sha256:77b01e',
        component_id: 'root.0.load-scheduler',
        load_multiplier: 1,
        pass_through: true,
        ttl_ms: 5000,
      },
    ],
  },
};

describe('proto include path', () => {
  it('puts our protos first, then the grpc-js-xds trees, all on disk', () => {
    const includeDirs = protoIncludeDirs();
    assert.equal(protoIncludeDirs(), includeDirs, 'resolved once and cached');
    assert.equal(includeDirs[0], SLUICE_PROTOS_DIR);
    assert.deepEqual(
      includeDirs.slice(1).map((dir) => dir.split(/[\\/]/).at(-1)),
      ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'],
    );
    for (const dir of includeDirs) assert.ok(existsSync(dir), `${dir} exists`);
    assert.throws(() => includeDirs.push('/tmp'), TypeError);
  });

  it('finds every entry file on the include path', () => {
    for (const file of [
      EXT_AUTHZ_PROTO,
      OTLP_LOGS_SERVICE_PROTO,
      AGENT_SYNC_PROTO,
      ENVOY_OTEL_ACCESS_LOG_PROTO,
    ]) {
      assert.ok(
        protoIncludeDirs().some((dir) => existsSync(join(dir, file))),
        `${file} is on the include path`,
      );
    }
  });

  it("satisfies Envoy's OTel access-log import with our common.proto", () => {
    const root = loadProtobufRoot();
    const config = root.lookupType(
      'envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig',
    );
    assert.equal(
      config.fields['attributes']?.resolvedType?.fullName,
      '.opentelemetry.proto.common.v1.KeyValueList',
    );
    assert.ok(
      root.files.includes(join(SLUICE_PROTOS_DIR, 'opentelemetry/proto/common/v1/common.proto')),
      'common.proto was read from packages/spec/protos',
    );
  });
});

describe('loadGrpcPackage', () => {
  it('is built once and cached', () => {
    assert.equal(loadGrpcPackage(), loadGrpcPackage());
    assert.equal(loadProtobufRoot(), loadProtobufRoot());
  });

  it('exposes the three services with their method paths', () => {
    assert.equal(method(authorizationService(), 'Check').path, '/envoy.service.auth.v3.Authorization/Check');
    assert.equal(
      method(logsService(), 'Export').path,
      '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    );
    const connect = method(agentSyncService(), 'Connect');
    assert.equal(connect.path, '/sluice.sync.v1.AgentSync/Connect');
    assert.equal(connect.path, AGENT_SYNC_CONNECT_PATH);
    assert.equal(connect.requestStream, true);
    assert.equal(connect.responseStream, true);
    assert.deepEqual(Object.keys(agentSyncClientConstructor().service), ['Connect']);
  });

  it('finds services by their package path and names a missing one', () => {
    assert.equal(lookupService('sluice.sync.v1.AgentSync'), agentSyncService());
    assert.throws(
      () => lookupService('sluice.sync.v1.NoSuchService'),
      /no gRPC service "sluice\.sync\.v1\.NoSuchService" in the loaded protos \(envoy\/service\/auth\/v3\/external_auth\.proto, /,
    );
    // A message is not a service.
    assert.throws(() => lookupService('sluice.sync.v1.AgentMessage'), /no gRPC service/);
  });

  it('uses the documented proto-loader options', () => {
    assert.deepEqual(
      { ...protoLoaderOptions(), includeDirs: undefined },
      { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true, includeDirs: undefined },
    );
    assert.deepEqual(protoLoaderOptions(), { ...PROTO_LOADER_OPTIONS, includeDirs: protoIncludeDirs() });
    assert.equal(protoLoaderOptions().includeDirs, protoIncludeDirs());
  });
});

describe('golden bytes (protoc) vs our loader', () => {
  it('envoy.service.auth.v3.CheckRequest', () => {
    const expected = golden('check-request');
    assert.equal(hex(encodeWithRoot('envoy.service.auth.v3.CheckRequest', checkRequest)), hex(expected));
    assert.equal(hex(method(authorizationService(), 'Check').requestSerialize(checkRequest)), hex(expected));

    interface DecodedCheck {
      attributes: {
        source: unknown;
        request: {
          time: { seconds: number; nanos: number };
          http: { headers: Record<string, string>; size: number };
        };
        context_extensions: Record<string, string>;
      };
    }
    const { attributes } = method(authorizationService(), 'Check').requestDeserialize(
      expected,
    ) as DecodedCheck;
    assert.deepEqual(attributes.source, {
      address: {
        address: 'socket_address', // oneofs: true names the member that is set
        socket_address: { address: '10.1.2.3', port_specifier: 'port_value', port_value: 52814 },
      },
      principal: 'spiffe://cluster.local/ns/shop/sa/frontend',
    });
    assert.equal(attributes.request.http.headers[':path'], '/api/orders?expedite=1');
    assert.equal(attributes.request.http.size, 42); // int64 as number (longs: Number)
    assert.deepEqual(attributes.request.time, { seconds: 1735689600, nanos: 250000000 });
    assert.deepEqual(attributes.context_extensions, { 'control-point': 'ingress', tenant: 'acme' });
  });

  it('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', () => {
    const expected = golden('export-logs-request');
    const typeName = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest';
    assert.equal(hex(encodeWithRoot(typeName, exportLogsRequest)), hex(expected));
    assert.equal(hex(method(logsService(), 'Export').requestSerialize(exportLogsRequest)), hex(expected));

    // Exact 64-bit values through the Root, with longs as strings.
    const type = loadProtobufRoot().lookupType(typeName);
    const exact = type.toObject(type.decode(expected), { longs: String }) as typeof exportLogsRequest;
    assert.equal(
      exact.resource_logs[0]?.scope_logs[0]?.log_records[1]?.time_unix_nano,
      '1735689600500000000',
    );

    // The shape handlers get.
    interface Decoded {
      resource_logs: {
        resource: { attributes: { key: string; value: { value: string; string_value: string } }[] };
        scope_logs: {
          scope: { name: string };
          log_records: {
            time_unix_nano: number;
            body: { string_value: string };
            attributes: { key: string; value: { value: string; string_value: string } }[];
          }[];
        }[];
      }[];
    }
    const decoded = method(logsService(), 'Export').requestDeserialize(expected) as Decoded;
    const resourceLogs = decoded.resource_logs[0];
    assert.ok(resourceLogs);
    assert.equal(resourceLogs.resource.attributes[0]?.value.string_value, 'ingress');
    const scopeLogs = resourceLogs.scope_logs[0];
    assert.ok(scopeLogs);
    assert.equal(scopeLogs.scope.name, 'envoy');
    const second = scopeLogs.log_records[1];
    assert.ok(second);
    assert.equal(second.body.string_value, 'GET');
    assert.deepEqual(second.attributes[1], {
      key: 'http.status_code',
      value: { value: 'string_value', string_value: '503' },
    });
    // longs: Number rounds nanoseconds beyond 2^53 (documented in PROTO_LOADER_OPTIONS).
    assert.ok(Math.abs(second.time_unix_nano - 1735689600500000000) < 1000);
  });

  it('sluice.sync.v1.AgentMessage (report)', () => {
    const expected = golden('agent-report');
    const connect = method(agentSyncService(), 'Connect');
    assert.equal(hex(encodeWithRoot('sluice.sync.v1.AgentMessage', agentReport)), hex(expected));
    assert.equal(hex(connect.requestSerialize(agentReport)), hex(expected));
    // What the controller's handler receives is exactly the typed contract.
    assert.deepEqual(connect.requestDeserialize(expected), agentReport);
  });

  it('sluice.sync.v1.ControllerMessage (decisions)', () => {
    const expected = golden('controller-decisions');
    const connect = method(agentSyncService(), 'Connect');
    assert.equal(hex(encodeWithRoot('sluice.sync.v1.ControllerMessage', controllerDecisions)), hex(expected));
    assert.equal(hex(connect.responseSerialize(controllerDecisions)), hex(expected));
    assert.deepEqual(connect.responseDeserialize(expected), controllerDecisions);
  });

  it('omits zero values on decode (defaults: false)', () => {
    const connect = method(agentSyncService(), 'Connect');
    const decoded = connect.responseDeserialize(
      Buffer.from(connect.responseSerialize({ payload: 'decisions', decisions: { decisions: [{}] } })),
    );
    assert.deepEqual(decoded, { payload: 'decisions', decisions: { decisions: [{}] } });
  });
});

// --- over the wire ---

async function startServer(add: (server: Server) => void): Promise<{ address: string; server: Server }> {
  const server = new Server();
  add(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  return { address: `127.0.0.1:${port}`, server };
}

async function stop(server: Server, client: Client): Promise<void> {
  client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
}

interface CheckResponseShape {
  status?: { code?: number };
  http_response?: string;
  denied_response?: {
    status?: { code?: string };
    headers?: { header?: { key?: string; value?: string } }[];
  };
}

describe('gRPC over loopback', () => {
  it('round-trips an ext_authz Check with control-point metadata', async () => {
    const Authorization = authorizationService();
    const seen: { controlPoint: unknown[]; path?: string } = { controlPoint: [] };
    const { address, server } = await startServer((s) => {
      s.addService(Authorization.service, {
        Check(
          call: ServerUnaryCall<typeof checkRequest, CheckResponseShape>,
          callback: sendUnaryData<CheckResponseShape>,
        ) {
          seen.controlPoint = call.metadata.get('control-point');
          seen.path = call.request.attributes.request.http.path;
          callback(null, {
            status: { code: 8 }, // RESOURCE_EXHAUSTED
            denied_response: {
              status: { code: 'TooManyRequests' },
              headers: [{ header: { key: 'retry-after', value: '2' } }],
            },
          });
        },
      });
    });
    const client = new Authorization(address, credentials.createInsecure());
    try {
      const metadata = new Metadata();
      metadata.set('control-point', 'ingress');
      const check = client['Check'] as (
        request: object,
        metadata: Metadata,
        callback: (error: ServiceError | null, response?: CheckResponseShape) => void,
      ) => void;
      const response = await new Promise<CheckResponseShape | undefined>((resolve, reject) => {
        check.call(client, checkRequest, metadata, (error, value) => {
          if (error) reject(error);
          else resolve(value);
        });
      });
      assert.deepEqual(seen, { controlPoint: ['ingress'], path: '/api/orders?expedite=1' });
      assert.deepEqual(response, {
        status: { code: 8 },
        http_response: 'denied_response',
        denied_response: {
          status: { code: 'TooManyRequests' }, // enums: String
          headers: [{ header: { key: 'retry-after', value: '2' } }],
        },
      });
    } finally {
      await stop(server, client);
    }
  });

  it('runs an AgentSync stream with the typed handlers and client', async () => {
    const received: AgentMessage[] = [];
    const handlers: AgentSyncHandlers = {
      Connect(call) {
        call.on('data', (message: AgentMessage) => {
          received.push(message);
          if (message.payload === 'hello') call.write(controllerDecisions);
        });
        call.on('end', () => call.end());
      },
    };
    const AgentSync = agentSyncClientConstructor();
    const { address, server } = await startServer((s) => s.addService(AgentSync.service, handlers));
    const client = new AgentSync(address, credentials.createInsecure());
    try {
      const stream = client.Connect();
      const reply = new Promise<ControllerMessage>((resolve, reject) => {
        stream.once('data', resolve);
        stream.once('error', reject);
      });
      const hello: AgentMessage = {
        payload: 'hello',
        hello: { agent_id: 'agent-a', agent_group: 'default', capabilities: ['preview'] },
      };
      stream.write(hello);
      assert.deepEqual(await reply, controllerDecisions);
      const ended = new Promise<void>((resolve) => stream.on('end', resolve).resume());
      stream.end();
      await ended;
      assert.deepEqual(received, [hello]);
    } finally {
      await stop(server, client);
    }
  });
  it('a not-leader refusal reaches the agent with its trailers, and only it reads as one', async () => {
    const handlers: AgentSyncHandlers = {
      Connect(call) {
        call.on('data', (message: AgentMessage) =>
          call.emit(
            'error',
            notLeaderStatus(
              message.payload === 'hello' && message.hello.agent_id === 'a' ? 'controller-a' : undefined,
            ),
          ),
        );
      },
    };
    const AgentSync = agentSyncClientConstructor();
    const { address, server } = await startServer((s) => s.addService(AgentSync.service, handlers));
    const client = new AgentSync(address, credentials.createInsecure());
    const refused = (agentId: string) =>
      new Promise<ServiceError>((resolve) => {
        const stream = client.Connect();
        stream.on('error', resolve);
        stream.write({ payload: 'hello', hello: { agent_id: agentId, agent_group: 'default' } });
      });
    try {
      const named = await refused('a');
      assert.equal(named.code, status.UNAVAILABLE);
      assert.equal(named.details, 'not the leader; the leader is controller-a: connect to another replica');
      assert.deepEqual(named.metadata.get(NOT_LEADER_METADATA_KEY), ['1']);
      assert.deepEqual(notLeaderRefusal(named), { leader: 'controller-a' });
      const unnamed = await refused('b');
      assert.equal(unnamed.details, 'not the leader; no leader is known yet: connect to another replica');
      assert.deepEqual(notLeaderRefusal(unnamed), { leader: undefined });
    } finally {
      await stop(server, client);
    }
    // The message prefix alone suffices (a proxy may drop trailers); anything else is not a refusal.
    assert.deepEqual(notLeaderRefusal({ code: status.UNAVAILABLE, details: 'not the leader; …' }), {
      leader: undefined,
    });
    assert.equal(notLeaderRefusal({ code: status.UNAVAILABLE, details: 'Connection dropped' }), undefined);
    assert.equal(
      notLeaderRefusal({ code: status.UNAVAILABLE, details: 'No connection established' }),
      undefined,
    );
    assert.equal(
      notLeaderRefusal({ code: status.FAILED_PRECONDITION, details: 'not the leader; the leader is x' }),
      undefined,
    );
  });
});
