import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentConfigSchema,
  ControllerConfigSchema,
  loadConfig,
  resolveAgentAuth,
  SpecValidationError,
  SYNC_MAX_MESSAGE_BYTES,
} from '../src/index.js';

const tempFile = (name: string, text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-config-')), name);
  writeFileSync(path, text);
  return path;
};

test('agent defaults match the design ports and group', () => {
  const config = loadConfig(AgentConfigSchema, {});
  assert.equal(config.grpcPort, 8080);
  assert.equal(config.httpPort, 8081);
  assert.equal(config.agentGroup, 'default');
  assert.equal(config.controller, undefined);
  assert.ok(config.previewRedactedHeaders.includes('authorization'));
});

test('controller defaults', () => {
  const config = loadConfig(ControllerConfigSchema, {});
  assert.deepEqual(
    [config.grpcPort, config.httpPort, config.kubernetes, config.namespace],
    [8090, 8091, false, 'sluice-system'],
  );
});

test('file < environment < flags', () => {
  const file = tempFile('agent.yaml', 'grpcPort: 9000\nhttpPort: 9001\nagentGroup: edge\n');
  const config = loadConfig(AgentConfigSchema, {
    file,
    env: { SLUICE_AGENT_HTTP_PORT: '9101', SLUICE_AGENT_AGENT_GROUP: 'from-env', UNRELATED: 'x' },
    envPrefix: 'SLUICE_AGENT_',
    flags: { agentGroup: 'from-flag', grpcPort: undefined },
  });
  assert.deepEqual([config.grpcPort, config.httpPort, config.agentGroup], [9000, 9101, 'from-flag']);
});

test('a bad environment value names the variable', () => {
  assert.throws(
    () =>
      loadConfig(AgentConfigSchema, { env: { SLUICE_AGENT_GRPC_PORT: '70000' }, envPrefix: 'SLUICE_AGENT_' }),
    (error: unknown) => {
      assert.ok(error instanceof SpecValidationError);
      assert.match(
        error.message,
        /grpcPort \(from environment SLUICE_AGENT_GRPC_PORT\): 70000 is not allowed; must be <= 65535/,
      );
      return true;
    },
  );
});

test('a misspelled key in the file names the file', () => {
  const file = tempFile('agent.yaml', 'grpcPrt: 9000\n');
  assert.throws(
    () => loadConfig(AgentConfigSchema, { file }),
    new RegExp(
      `grpcPrt \\(from ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): 9000 is not allowed; unknown field`,
    ),
  );
});

test('Redis credentials are refused in the URL', () => {
  assert.throws(
    () => loadConfig(AgentConfigSchema, { flags: { redisUrl: 'redis://user:secret@redis:6379' } }),
    /redisUrl \(from flag --redis-url\).*no credentials/,
  );
  assert.equal(
    loadConfig(AgentConfigSchema, { flags: { redisUrl: 'redis://redis.sluice-system.svc:6379/0' } }).redisUrl,
    'redis://redis.sluice-system.svc:6379/0',
  );
});

test('the controller address: HOST:PORT or a gRPC target naming every replica (dns:///, ipv4:, ipv6:)', () => {
  const accepted = [
    'sluice-controller.sluice-system.svc:8090',
    '127.0.0.1:8090',
    'controller_1:8090',
    'dns:///sluice-controller-peers.sluice-system.svc:8090',
    'ipv4:127.0.0.1:8090',
    'ipv4:10.0.0.1:8090,10.0.0.2:8090,10.0.0.3:8090',
    'ipv6:[::1]:8090',
    'ipv6:[fd00::1]:8090,[fd00::2]:8090',
  ];
  for (const controller of accepted)
    assert.equal(loadConfig(AgentConfigSchema, { flags: { controller } }).controller, controller);
  const refused = [
    'no-port',
    'dns://sluice-controller:8090',
    'dns:///no-port',
    'ipv4:sluice-controller:8090',
    'ipv4:127.0.0.1:8090,',
    'ipv4:127.0.0.1',
    'ipv6:::1:8090',
    'unix:///var/run/controller.sock',
    'http://sluice-controller:8090',
  ];
  for (const controller of refused)
    assert.throws(
      () => loadConfig(AgentConfigSchema, { flags: { controller } }),
      new RegExp(
        `controller \\(from flag --controller\\): "${controller.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is not allowed; must be HOST:PORT, dns:///HOST:PORT, ipv4:IP:PORT\\[,IP:PORT…\\] or ipv6:\\[IP\\]:PORT\\[,\\[IP\\]:PORT…\\]`,
      ),
      controller,
    );
});

test('a file that is not a mapping is refused', () => {
  const file = tempFile('agent.yaml', '- 1\n- 2\n');
  assert.throws(() => loadConfig(AgentConfigSchema, { file }), /expected a mapping of config keys/);
});

test('leader election defaults: lease 8s, renew deadline 6s, retry 2s, Lease sluice-controller', () => {
  const config = loadConfig(ControllerConfigSchema, {
    env: { SLUICE_CONTROLLER_LEADER_ELECTION: 'true' },
    envPrefix: 'SLUICE_CONTROLLER_',
  });
  assert.deepEqual(
    [config.leaderElection, config.leaseName, config.leaseDuration, config.renewDeadline, config.retryPeriod],
    [true, 'sluice-controller', '8s', '6s', '2s'],
  );
  assert.equal(loadConfig(ControllerConfigSchema, {}).leaderElection, false);
});

test('leader election timings that could let two leaders act are refused, naming the key and the rule', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { SLUICE_CONTROLLER_RENEW_DEADLINE: '8s' },
      /renewDeadline \(from environment SLUICE_CONTROLLER_RENEW_DEADLINE\): "8s" is not allowed; must be shorter than leaseDuration \(8s\)/,
    ],
    [
      { SLUICE_CONTROLLER_LEASE_DURATION: '7500ms' },
      /leaseDuration \(from environment SLUICE_CONTROLLER_LEASE_DURATION\): "7500ms" is not allowed; must be a whole number of seconds/,
    ],
    [
      { SLUICE_CONTROLLER_RETRY_PERIOD: '5s' },
      /retryPeriod \(from environment SLUICE_CONTROLLER_RETRY_PERIOD\): "5s" is not allowed; must be above 0 and renewDeadline \(6s\) must exceed 1\.2 × retryPeriod/,
    ],
    [
      { SLUICE_CONTROLLER_LEASE_NAME: 'Sluice_Controller' },
      /leaseName \(from environment SLUICE_CONTROLLER_LEASE_NAME\): "Sluice_Controller" is not allowed; must be a DNS subdomain name/,
    ],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => loadConfig(ControllerConfigSchema, { env, envPrefix: 'SLUICE_CONTROLLER_' }),
      message,
    );
});

test('agent bounds: bind address, receive-limit inputs, stream and preview caps, wider redaction', () => {
  const config = loadConfig(AgentConfigSchema, {});
  assert.equal(config.bindAddress, '0.0.0.0');
  assert.equal(config.maxRequestHeadersKb, 60);
  assert.equal(config.maxRequestBytes, 8192);
  assert.equal(config.maxConcurrentStreams, 1024);
  assert.equal(config.previewMaxConcurrent, 8);
  assert.equal(config.previewMaxSampleBytes, 524_288);
  for (const header of [
    'x-auth-token',
    'x-amz-security-token',
    'x-csrf-token',
    'x-xsrf-token',
    'proxy-authorization',
    'set-cookie',
  ])
    assert.ok(config.previewRedactedHeaders.includes(header), header);
  assert.throws(
    () => loadConfig(AgentConfigSchema, { flags: { bindAddress: 'localhost; rm' } }),
    /bindAddress.*must be an IPv4 or IPv6 address/,
  );
});

test('controller security keys: API port 8092, no token Secret, agent auth resolved from the mode', () => {
  const config = loadConfig(ControllerConfigSchema, {});
  assert.deepEqual(
    [
      config.apiPort,
      config.bindAddress,
      config.apiBindAddress,
      config.apiTokenSecret,
      config.apiAllowedHosts,
    ],
    [8092, undefined, undefined, undefined, []],
  );
  assert.equal(config.controlPointExpiry, '60s');
  assert.equal(resolveAgentAuth(config), 'none');
  assert.equal(resolveAgentAuth({ ...config, agentTokenFile: '/t' }), 'token');
  assert.equal(resolveAgentAuth({ ...config, kubernetes: true, agentTokenFile: '/t' }), 'kubernetes');
  assert.equal(resolveAgentAuth({ ...config, kubernetes: true, agentAuth: 'none' }), 'none');
  assert.equal(SYNC_MAX_MESSAGE_BYTES, 4 * 1024 * 1024);
});

test('controller security keys refuse what cannot work, naming the key', () => {
  const issues = (input: unknown) =>
    ControllerConfigSchema.safeParse(input).error?.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    ) ?? [];
  assert.deepEqual(issues({ agentAuth: 'token' }), [
    'agentTokenFile: is required with agentAuth token: the file holding the token agents present',
  ]);
  assert.match(
    issues({ kubernetes: true }).join('\n'),
    /^agentServiceAccount: is required with agentAuth kubernetes/,
  );
  assert.deepEqual(issues({ kubernetes: true, agentServiceAccount: 'sluice-system/sluice-agent' }), []);
  assert.deepEqual(issues({ agentServiceAccount: 'sluice-agent' }), [
    'agentServiceAccount: must be NAMESPACE/NAME of a service account',
  ]);
  assert.deepEqual(issues({ bindAddress: 'localhost', apiBindAddress: '0.0.0.0' }), [
    'bindAddress: must be an IP address such as 0.0.0.0, 127.0.0.1 or ::',
  ]);
  assert.deepEqual(issues({ apiTokenSecret: 'Bad_Name' }), [
    'apiTokenSecret: must be a Secret name (DNS subdomain)',
  ]);
});
