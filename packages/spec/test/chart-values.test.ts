// The chart values schemas, tested where they live: defaults, and refusals naming path, value and rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IstioConfigValuesSchema,
  parseWith,
  SluiceChartValuesSchema,
  TenantGatewaysValuesSchema,
  toJsonSchema,
} from '../src/index.js';

const tenant = (name: string, hosts: string[]) => ({ name, hosts, backend: { service: 'shop', port: 80 } });

test('sluice chart values: defaults for both components and monitoring off', () => {
  const values = SluiceChartValuesSchema.parse({});
  assert.equal(values.agent.enabled, true);
  assert.equal(values.controller.enabled, true);
  assert.deepEqual(
    [
      values.agent.ports.grpc,
      values.agent.ports.http,
      values.controller.ports.grpc,
      values.controller.ports.http,
      values.controller.ports.api,
    ],
    [8080, 8081, 8090, 8091, 8092],
  );
  assert.deepEqual(values.agent.recordKey, { key: 'record-key' });
  assert.deepEqual(values.controller.apiToken, { key: 'token' });
  assert.deepEqual(
    [
      values.monitoring.serviceMonitor.enabled,
      values.monitoring.prometheusRule.enabled,
      values.monitoring.grafanaDashboard.enabled,
    ],
    [false, false, false],
  );
  assert.equal(values.agent.defaultControlPoint, undefined);
});

test('sluice chart values: one controller replica and no NetworkPolicy by default', () => {
  const values = SluiceChartValuesSchema.parse({});
  assert.equal(values.controller.replicas, 1);
  assert.deepEqual(values.networkPolicy, {
    enabled: false,
    sidecarNamespaces: [],
    metricsNamespaces: ['monitoring'],
    apiNamespaces: [],
  });
});

test('sluice chart values: replicas out of range and a bad namespace name are refused by path', () => {
  const result = parseWith(SluiceChartValuesSchema, {
    controller: { replicas: 0 },
    networkPolicy: { sidecarNamespaces: ['Shop'], metricsNamespaces: 'monitoring' },
  });
  assert.ok(!result.ok);
  assert.deepEqual(result.issues.map((issue) => issue.path).sort(), [
    'controller.replicas',
    'networkPolicy.metricsNamespaces',
    'networkPolicy.sidecarNamespaces[0]',
  ]);
});

test('sluice chart values: an unknown key, a port out of range and a bad control point are refused by path', () => {
  const result = parseWith(SluiceChartValuesSchema, {
    agent: { ports: { grpc: 70000 }, defaultControlPoint: 'in gress' },
    controler: {},
  });
  assert.ok(!result.ok);
  assert.deepEqual(result.issues.map((issue) => issue.path).sort(), [
    'agent.defaultControlPoint',
    'agent.ports.grpc',
    'controler',
  ]);
});

test('sluice chart values: agent.controllerAddress takes HOST:PORT or a gRPC target naming every replica', () => {
  for (const controllerAddress of [
    'ctl.other.svc:8090',
    'dns:///ctl-peers.other.svc:8090',
    'ipv4:10.0.0.1:8090,10.0.0.2:8090',
  ])
    assert.equal(
      SluiceChartValuesSchema.parse({ agent: { controllerAddress } }).agent.controllerAddress,
      controllerAddress,
    );
  const result = parseWith(SluiceChartValuesSchema, { agent: { controllerAddress: 'dns://ctl:8090' } });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.issues.map((issue) => [issue.path, issue.value, issue.allowed]),
    [
      [
        'agent.controllerAddress',
        '"dns://ctl:8090"',
        'must be HOST:PORT, dns:///HOST:PORT, ipv4:IP:PORT[,IP:PORT…] or ipv6:[IP]:PORT[,[IP]:PORT…]',
      ],
    ],
  );
});

test('tenant values: duplicate names and hosts, hostile names and over-long names are refused', () => {
  const duplicate = parseWith(TenantGatewaysValuesSchema, {
    tenants: [tenant('acme', ['shop.acme.com']), tenant('acme', ['shop.acme.com'])],
  });
  assert.ok(!duplicate.ok);
  assert.deepEqual(
    duplicate.issues.map((issue) => issue.path),
    ['tenants[1].name', 'tenants[1].hosts[0]'],
  );
  const hostile = parseWith(TenantGatewaysValuesSchema, {
    tenants: [
      tenant('{{ .Release.Name }}', ['shop.acme.com']),
      tenant('a'.repeat(300), ['x.acme.com']),
      tenant('ok', ['*.*.acme.com', 'UPPER.acme.com']),
    ],
  });
  assert.ok(!hostile.ok);
  const paths = hostile.issues.map((issue) => issue.path);
  for (const path of ['tenants[0].name', 'tenants[1].name', 'tenants[2].hosts[0]', 'tenants[2].hosts[1]'])
    assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
  assert.ok(TenantGatewaysValuesSchema.safeParse({ tenants: [tenant('acme', ['*.acme.com'])] }).success);
});

test('istio config values: patching virtualOutbound is refused with the reason', () => {
  const result = parseWith(IstioConfigValuesSchema, { exactBalance: { outbound: 'virtualOutbound' } });
  assert.ok(!result.ok);
  const issue = result.issues.find((candidate) => candidate.path === 'exactBalance.outbound');
  assert.ok(issue, JSON.stringify(result.issues));
  assert.match(issue.allowed, /15146|21575|original.destination/i);
});

test('every chart values schema exports to a closed draft-07 JSON Schema', () => {
  for (const schema of [SluiceChartValuesSchema, IstioConfigValuesSchema, TenantGatewaysValuesSchema]) {
    const json = toJsonSchema(schema, { allowGlobal: true }) as {
      additionalProperties?: unknown;
      properties: Record<string, unknown>;
    };
    assert.equal(json.additionalProperties, false);
    assert.ok('global' in json.properties);
  }
});
