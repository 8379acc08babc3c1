/**
 * Hostile tenant names, hosts and selectors for the tenant gateways: template text, YAML and
 * newline injection, quotes, wildcards, case, emptiness, length and duplicates. Typed synthesis
 * refuses each with the exact path and rule (zod, from @sluice/spec), and charts/tenant-gateways
 * refuses each on Helm 3 and Helm 4, naming the path (schema) or in the same words (duplicates,
 * which a schema cannot see), rendering nothing. tenant-gateways.test.ts has the first few of these.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatIssue, parseWith, TenantGatewaysValuesSchema } from '@sluice/spec';
import { TenantGateways, type TenantGatewaysProps } from '../src/constructs/tenants/tenant-gateways.js';
import { HELMS, synthesise } from './support/helm.js';
import { helmNamesPath, helmTemplateRun, SCHEMA_REFUSAL, type ValuesPath } from './support/helm-refusal.js';

const CHART = resolve(import.meta.dirname, '..', '..', '..', 'charts', 'tenant-gateways');

const tenant = (overrides: Record<string, unknown> = {}) => ({
  name: 'shop',
  hosts: ['shop.example.com'],
  backend: { service: 'web', port: 80 },
  ...overrides,
});

const LABEL = 'must be a DNS-1123 label: lower-case letters, digits and -';
const HOST = 'must be a lower-case DNS name such as shop.example.com (a leading *. is allowed)';

interface Hostile {
  readonly what: string;
  readonly tenants: readonly Record<string, unknown>[];
  /** The issue typed synthesis must report: path and rule, exactly. */
  readonly path: string;
  readonly allowed: string;
  /** Where Helm's schema error points; undefined for refusals only the template can make. */
  readonly helmPath?: ValuesPath;
  /**
   * A bad key rather than a bad value: Helm 4 reports a propertyNames failure at the key itself
   * (`at '': invalid propertyName '<key>'`), not at its parent, so it is checked by the key.
   */
  readonly badKey?: string;
}

const name = (value: string, allowed = LABEL): Hostile => ({
  what: `tenant name ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`,
  tenants: [tenant({ name: value })],
  path: 'tenants[0].name',
  allowed,
  helmPath: ['tenants', 0, 'name'],
});

const host = (value: string): Hostile => ({
  what: `host ${JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value)}`,
  tenants: [tenant({ hosts: [value] })],
  path: 'tenants[0].hosts[0]',
  allowed: HOST,
  helmPath: ['tenants', 0, 'hosts', 0],
});

const HOSTILE: readonly Hostile[] = [
  name('{{ .Release.Name }}'),
  name('{{- fail "owned" -}}'),
  name('a: b\n'),
  name('shop\nkind: Secret'),
  name('"shop"'),
  name("shop'"),
  name('*'),
  name('shop-*'),
  name('Shop'),
  name(''),
  name('a'.repeat(300), 'must have at most 40 character(s)'),
  host('{{ .Release.Name }}.example.com'),
  host('*.*.example.com'),
  host('shop.*.example.com'),
  host('*'),
  host('Shop.Example.com'),
  host(''),
  host('shop.example.com.'),
  host('shop.example.com\nevil.example.com'),
  host('shop.example.com: {}'),
  host(`${'a'.repeat(64)}.example.com`),
  {
    what: 'no hosts at all',
    tenants: [tenant({ hosts: [] })],
    path: 'tenants[0].hosts',
    allowed: 'must have at least 1 item(s)',
    helmPath: ['tenants', 0, 'hosts'],
  },
  {
    what: 'template text as the backend service',
    tenants: [tenant({ backend: { service: '{{ include "x" . }}', port: 80 } })],
    path: 'tenants[0].backend.service',
    allowed: 'must be a Service name',
    helmPath: ['tenants', 0, 'backend', 'service'],
  },
  {
    what: 'a YAML document break in the namespace',
    tenants: [tenant({ namespace: 'kube-system\n---' })],
    path: 'tenants[0].namespace',
    allowed: 'must be a namespace name (DNS-1123 label)',
    helmPath: ['tenants', 0, 'namespace'],
  },
  {
    what: 'template text as a gateway selector value',
    tenants: [tenant({ gatewaySelector: { istio: '{{ .Values }}' } })],
    path: 'tenants[0].gatewaySelector.istio',
    allowed: 'must match /^[A-Za-z0-9._-]{0,63}$/',
    helmPath: ['tenants', 0, 'gatewaySelector', 'istio'],
  },
  {
    what: 'YAML in a gateway selector key',
    tenants: [tenant({ gatewaySelector: { 'istio: x\n': 'y' } })],
    path: 'tenants[0].gatewaySelector["istio: x\\n"]',
    allowed: 'key must match /^[A-Za-z0-9./_-]{1,253}$/',
    helmPath: ['tenants', 0, 'gatewaySelector'],
    badKey: 'istio: x\\n',
  },
  {
    what: 'a tenant name used twice',
    tenants: [tenant(), tenant({ hosts: ['other.example.com'] })],
    path: 'tenants[1].name',
    allowed: 'tenants: tenant name shop is used twice; object names derive from it',
  },
  {
    what: 'a wildcard host claimed by two tenants',
    tenants: [tenant({ hosts: ['*.example.com'] }), tenant({ name: 'other', hosts: ['*.example.com'] })],
    path: 'tenants[1].hosts[0]',
    allowed:
      'tenants: host *.example.com is claimed by tenant shop and tenant other; each host belongs to exactly one tenant',
  },
  {
    what: 'a host listed twice by one tenant',
    tenants: [tenant({ hosts: ['shop.example.com', 'shop.example.com'] })],
    path: 'tenants[0].hosts[1]',
    allowed:
      'tenants: host shop.example.com is claimed by tenant shop and tenant shop; each host belongs to exactly one tenant',
  },
];

describe('hostile tenant names and hosts: refused with the path, nothing rendered', () => {
  for (const hostile of HOSTILE) {
    it(`${hostile.what} → ${hostile.path}`, async () => {
      const values = { tenants: hostile.tenants };
      const typed = parseWith(TenantGatewaysValuesSchema, values);
      assert.ok(!typed.ok, 'zod accepts it');
      const issue = typed.issues.find((candidate) => candidate.path === hostile.path);
      assert.ok(issue, `zod names ${typed.issues.map((candidate) => candidate.path).join(', ')}`);
      assert.equal(issue.allowed, hostile.allowed);
      assert.throws(
        () => synthesise((scope) => new TenantGateways(scope, 't', values as TenantGatewaysProps)),
        (error: Error) => error.message.includes(`  - ${formatIssue(issue)}`),
      );
      const runs = await Promise.all(HELMS.map((helm) => helmTemplateRun(helm, CHART, values)));
      runs.forEach((run, index) => {
        const major = HELMS[index]?.major ?? 0;
        assert.notEqual(run.code, 0, `helm ${major} exit code`);
        assert.equal(run.stdout, '', `helm ${major} rendered something`);
        if (hostile.helmPath === undefined) {
          // A schema cannot compare list items: the template refuses, in the words zod uses.
          assert.ok(run.stderr.includes(hostile.allowed), `helm ${major}: ${run.stderr}`);
        } else {
          assert.match(run.stderr, SCHEMA_REFUSAL, `helm ${major}`);
          if (major >= 4 && hostile.badKey !== undefined)
            assert.ok(
              run.stderr.includes(`invalid propertyName '${hostile.badKey}'`),
              `helm ${major}: ${run.stderr}`,
            );
          else
            assert.match(
              run.stderr,
              helmNamesPath({ major, path: hostile.helmPath }),
              `helm ${major}: ${run.stderr}`,
            );
        }
      });
    });
  }
});
