import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '@sluice/testkit';
import { parseAgentCommandLine, UsageError } from '../src/config/agent-cli.js';
import { AgentProcess } from './support/agent-process.js';
import { checkRequest } from './support/agent-harness.js';
import { checkClient } from './support/check-client.js';

test('flags win over environment, which wins over the file; defaults fill the rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-agent-'));
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, 'grpcPort: 9000\nhttpPort: 9001\nagentGroup: from-file\n');
  const request = parseAgentCommandLine(
    ['--config', file, '--grpc-port', '7000', '--default-control-point', 'ingress'],
    { SLUICE_AGENT_HTTP_PORT: '7001', SLUICE_AGENT_AGENT_GROUP: 'from-env' },
  );
  assert.equal(request.kind, 'run');
  if (request.kind !== 'run') return;
  assert.equal(request.config.grpcPort, 7000);
  assert.equal(request.config.httpPort, 7001);
  assert.equal(request.config.agentGroup, 'from-env');
  assert.equal(request.config.defaultControlPoint, 'ingress');
  assert.equal(request.config.controller, undefined);
  assert.equal(request.config.logLevel, 'info');
  assert.equal(request.config.reportIntervalMs, 1000);
});

test('--controller takes HOST:PORT or a gRPC target naming every replica', () => {
  for (const controller of [
    'sluice-controller.sluice-system.svc:8090',
    'dns:///sluice-controller-peers.sluice-system.svc:8090',
    'ipv4:127.0.0.1:8090,127.0.0.1:8092',
  ]) {
    const request = parseAgentCommandLine(['--controller', controller], {});
    assert.equal(request.kind === 'run' && request.config.controller, controller);
  }
});

test('the report interval comes from --report-interval-ms or SLUICE_AGENT_REPORT_INTERVAL_MS, within 100..10000 ms', () => {
  const fromFlag = parseAgentCommandLine(['--report-interval-ms', '250'], {
    SLUICE_AGENT_REPORT_INTERVAL_MS: '500',
  });
  assert.equal(fromFlag.kind === 'run' && fromFlag.config.reportIntervalMs, 250);
  const fromEnv = parseAgentCommandLine([], { SLUICE_AGENT_REPORT_INTERVAL_MS: '500' });
  assert.equal(fromEnv.kind === 'run' && fromEnv.config.reportIntervalMs, 500);
  assert.throws(
    () => parseAgentCommandLine(['--report-interval-ms', 'fast'], {}),
    (error: Error) =>
      error instanceof UsageError && /--report-interval-ms "fast" is not a whole number/.test(error.message),
  );
  assert.throws(
    () => parseAgentCommandLine(['--report-interval-ms', '50'], {}),
    /reportIntervalMs \(from flag --report-interval-ms\): 50 is not allowed; must be >= 100/,
  );
});

test('decision-record settings: --record-key-file, --accept-v1-records, and the keys without a flag', () => {
  const defaults = parseAgentCommandLine([], {});
  assert.ok(defaults.kind === 'run');
  assert.equal(defaults.config.recordKeyFile, undefined);
  assert.equal(defaults.config.acceptV1Records, false);
  assert.equal(defaults.config.maxRecordAgeMs, 300_000);
  assert.equal(defaults.config.accessLogMaxRecordsPerSecondPerPeer, undefined);
  const set = parseAgentCommandLine(
    ['--record-key-file', '/var/run/secrets/sluice/record-key/record-key', '--accept-v1-records'],
    {
      SLUICE_AGENT_MAX_RECORD_AGE_MS: '60000',
      SLUICE_AGENT_ACCESS_LOG_MAX_RECORDS_PER_SECOND_PER_PEER: '500',
    },
  );
  assert.ok(set.kind === 'run');
  assert.equal(set.config.recordKeyFile, '/var/run/secrets/sluice/record-key/record-key');
  assert.equal(set.config.acceptV1Records, true);
  assert.equal(set.config.maxRecordAgeMs, 60_000);
  assert.equal(set.config.accessLogMaxRecordsPerSecondPerPeer, 500);
  const fromEnv = parseAgentCommandLine([], { SLUICE_AGENT_ACCEPT_V1_RECORDS: 'true' });
  assert.equal(fromEnv.kind === 'run' && fromEnv.config.acceptV1Records, true);
  assert.throws(
    () => parseAgentCommandLine([], { SLUICE_AGENT_MAX_RECORD_AGE_MS: '10' }),
    /maxRecordAgeMs \(from environment SLUICE_AGENT_MAX_RECORD_AGE_MS\): 10 is not allowed; must be >= 1000/,
  );
  assert.throws(
    () => parseAgentCommandLine(['--record-key-file', ''], {}),
    /recordKeyFile \(from flag --record-key-file\)/,
  );
});

test('bad input names the flag, the value and what is allowed', () => {
  assert.throws(
    () => parseAgentCommandLine(['--grpc-port', 'eighty'], {}),
    (error: Error) =>
      error instanceof UsageError &&
      /--grpc-port "eighty" is not a port: use a whole number from 1 to 65535/.test(error.message),
  );
  assert.throws(
    () => parseAgentCommandLine(['--grpc-port', '70000'], {}),
    /grpcPort \(from flag --grpc-port\): 70000 is not allowed; must be <= 65535/,
  );
  assert.throws(
    () => parseAgentCommandLine(['--bogus'], {}),
    (error: Error) => error instanceof UsageError && /Unknown option '--bogus'/.test(error.message),
  );
  assert.throws(
    () => parseAgentCommandLine(['--redis-url', 'redis://user:secret@host:6379'], {}),
    /REDIS_PASSWORD/,
  );
  assert.throws(
    () => parseAgentCommandLine(['--controller', 'no-port'], {}),
    /controller \(from flag --controller\): "no-port" is not allowed; must be HOST:PORT, dns:\/\/\/HOST:PORT, ipv4:IP:PORT/,
  );
  assert.deepEqual(parseAgentCommandLine(['--help'], {}), { kind: 'help' });
});

test('sluice-agent starts with no controller, admits Checks, and exits 0 on SIGTERM', async () => {
  const agent = await AgentProcess.start([
    '--grpc-port',
    String(await freePort()),
    '--http-port',
    String(await freePort()),
  ]);
  try {
    const client = checkClient(`127.0.0.1:${agent.grpcPort}`);
    const response = await client.check(checkRequest(), { controlPoint: 'ingress' });
    assert.equal(response.status.code, 0);
    client.close();
    const ready = await fetch(`http://127.0.0.1:${agent.httpPort}/readyz`);
    assert.equal(ready.status, 200);
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
});

test('--bind-address or SLUICE_AGENT_BIND_ADDRESS sets the address both listeners bind to', () => {
  const fromFlag = parseAgentCommandLine(['--bind-address', '127.0.0.1'], {});
  assert.ok(fromFlag.kind === 'run');
  assert.equal(fromFlag.config.bindAddress, '127.0.0.1');
  const fromEnv = parseAgentCommandLine([], { SLUICE_AGENT_BIND_ADDRESS: '::' });
  assert.ok(fromEnv.kind === 'run');
  assert.equal(fromEnv.config.bindAddress, '::');
  const defaults = parseAgentCommandLine([], {});
  assert.ok(defaults.kind === 'run');
  assert.equal(defaults.config.bindAddress, '0.0.0.0');
  assert.throws(
    () => parseAgentCommandLine(['--bind-address', 'all interfaces'], {}),
    /bindAddress.*"all interfaces".*must be an IPv4 or IPv6 address/,
  );
});
