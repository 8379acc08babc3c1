import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnvoyFilterPatch, checkEnvoyMessage } from '../src/protos.js';

const TARGET = 'sluice-agent.sluice-system.svc.cluster.local:8080';

const extAuthzPatch = () => ({
  applyTo: 'HTTP_FILTER',
  patch: {
    operation: 'INSERT_BEFORE',
    filterClass: 'AUTHZ',
    value: {
      name: 'envoy.filters.http.ext_authz',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
        transport_api_version: 'V3',
        failure_mode_allow: true,
        with_request_body: { max_request_bytes: 8192, allow_partial_message: true, pack_as_bytes: false },
        grpc_service: {
          google_grpc: { target_uri: TARGET, stat_prefix: 'ext_authz' },
          timeout: '0.25s',
          initial_metadata: [{ key: 'control-point', value: 'ingress' }],
        },
      },
    },
  },
});

const accessLogPatch = () => ({
  applyTo: 'NETWORK_FILTER',
  patch: {
    operation: 'MERGE',
    value: {
      name: 'envoy.filters.network.http_connection_manager',
      typed_config: {
        '@type':
          'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        access_log: [
          {
            name: 'envoy.access_loggers.open_telemetry',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig',
              common_config: {
                log_name: 'ingress',
                grpc_service: { google_grpc: { target_uri: TARGET, stat_prefix: 'sluice_access_log' } },
                transport_api_version: 'V3',
              },
              body: { string_value: '%REQ(:METHOD)%' },
              attributes: {
                values: [{ key: 'http.status_code', value: { string_value: '%RESPONSE_CODE%' } }],
              },
            },
          },
        ],
      },
    },
  },
});

test("Aperture's ext_authz and access-log patches pass", () => {
  assert.deepEqual(checkEnvoyFilterPatch(extAuthzPatch()), []);
  assert.deepEqual(checkEnvoyFilterPatch(accessLogPatch()), []);
});

test('camelCase JSON names are accepted as protojson does', () => {
  assert.deepEqual(
    checkEnvoyMessage('envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', {
      failureModeAllow: true,
      statusOnError: { code: 'ServiceUnavailable' },
    }),
    [],
  );
});

test('a one-letter typo deep in typed_config fails with its path', () => {
  const patch = extAuthzPatch() as any;
  patch.patch.value.typed_config.with_request_body.max_request_byte = 8192;
  delete patch.patch.value.typed_config.with_request_body.max_request_bytes;
  const issues = checkEnvoyFilterPatch(patch);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, 'patch.patch.value.typed_config.with_request_body.max_request_byte');
  assert.match(
    issues[0]?.allowed ?? '',
    /unknown field of envoy\.extensions\.filters\.http\.ext_authz\.v3\.BufferSettings/,
  );
});

test('a Duration given as a number fails', () => {
  const patch = extAuthzPatch() as any;
  patch.patch.value.typed_config.grpc_service.timeout = 0.25;
  const issues = checkEnvoyFilterPatch(patch);
  assert.deepEqual(
    issues.map((issue) => [issue.path, issue.allowed]),
    [['patch.patch.value.typed_config.grpc_service.timeout', 'a Duration string such as "0.25s"']],
  );
});

test('wrong scalar types, bad enums and unknown @types fail', () => {
  const patch = extAuthzPatch() as any;
  patch.patch.value.typed_config.failure_mode_allow = 'true';
  patch.patch.value.typed_config.transport_api_version = 'V4';
  const issues = checkEnvoyFilterPatch(patch);
  assert.deepEqual(issues.map((issue) => issue.path).sort(), [
    'patch.patch.value.typed_config.failure_mode_allow',
    'patch.patch.value.typed_config.transport_api_version',
  ]);
  assert.match(
    issues.find((issue) => issue.path.endsWith('transport_api_version'))?.allowed ?? '',
    /AUTO, V2, V3/,
  );
  const logs = accessLogPatch() as any;
  logs.patch.value.typed_config.access_log[0].typed_config['@type'] =
    'type.googleapis.com/envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfg';
  assert.equal(
    checkEnvoyFilterPatch(logs)[0]?.path,
    'patch.patch.value.typed_config.access_log[0].typed_config.@type',
  );
});

test('a negative unsigned integer and two members of one oneof fail', () => {
  const issues = checkEnvoyMessage('envoy.extensions.filters.http.ext_authz.v3.BufferSettings', {
    max_request_bytes: -1,
  });
  assert.equal(issues[0]?.allowed, 'expected uint32');
  const oneof = checkEnvoyMessage('envoy.config.core.v3.GrpcService', {
    google_grpc: { target_uri: 'x', stat_prefix: 'y' },
    envoy_grpc: { cluster_name: 'c' },
  });
  assert.match(oneof[0]?.allowed ?? '', /oneof target_specifier already set by google_grpc/);
});

test('exact balance on the inbound listener checks against Listener', () => {
  assert.deepEqual(
    checkEnvoyFilterPatch({
      applyTo: 'LISTENER',
      patch: { operation: 'MERGE', value: { connection_balance_config: { exact_balance: {} } } },
    }),
    [],
  );
  const typo = checkEnvoyFilterPatch({
    applyTo: 'LISTENER',
    patch: { operation: 'MERGE', value: { connection_balance_config: { exact_balanse: {} } } },
  });
  assert.equal(typo[0]?.path, 'patch.patch.value.connection_balance_config.exact_balanse');
  assert.equal(checkEnvoyFilterPatch({ applyTo: 'CLUSTERS', patch: {} })[0]?.path, 'patch.applyTo');
});
