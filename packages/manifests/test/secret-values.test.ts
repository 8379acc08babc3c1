import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { SluiceChartValuesSchema } from '@sluice/spec';
import { type ChartName, CHARTS_DIRECTORY, renderEverything } from './support/rendered-installs.js';
import {
  configMapFindings,
  credentialReferenceKeys,
  secretTextFindings,
  secretValueFindings,
} from './support/secret-scan.js';

/**
 * No credential travels in a ConfigMap, a chart default or a plain environment variable: the Redis
 * password and a user's API bearer token reach the pods only through `secretKeyRef` to a Secret the user
 * creates; the Secrets the controller creates at run time (API token, record key) are only named, and
 * Sluice renders no Secret of its own.
 */

type Any = Record<string, any>;

const CHARTS: readonly ChartName[] = ['sluice', 'sluice-crds', 'istioconfig', 'tenant-gateways'];
const renderings = await renderEverything();
const containersOf = (manifest: Any): Any[] => {
  const spec = manifest.kind === 'Pod' ? manifest.spec : manifest.spec?.template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
};
/** Variable names that carry a credential. */
const CREDENTIAL_ENV = /PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|CREDENTIAL|PRIVATE_KEY/;

describe('the secret scan', () => {
  it('flags credential keys with literal values and credential-shaped strings', () => {
    const flagged: [unknown, string][] = [
      [{ password: 'hunter2' }, 'password'],
      [{ redis: { auth: { password: 'hunter2' } } }, 'redis.auth.password'],
      [{ apiToken: 'abc' }, 'apiToken'],
      [{ apiKey: 12345 }, 'apiKey'],
      [{ tokens: ['abc'] }, 'tokens[0]'],
      [{ redisUrl: 'redis://:hunter2@redis:6379' }, 'redisUrl'],
      [{ redisUrl: 'rediss://sluice:hunter2@redis:6380/1' }, 'redisUrl'],
      [{ headers: ['Authorization: Bearer abcdefgh12345678'] }, 'headers[0]'],
      [{ dsn: 'host=db user=x password=hunter2' }, 'dsn'],
      [{ tls: { key: '-----BEGIN EC PRIVATE KEY-----\nMHc...' } }, 'tls.key'],
    ];
    for (const [data, path] of flagged)
      assert.ok(
        secretValueFindings(data, '').some((f) => f.path === path),
        `${JSON.stringify(data)} is not flagged at ${path}`,
      );
    const configMap = { data: { 'agent.yaml': 'grpcPort: 8080\nredisUrl: "redis://:hunter2@redis:6379"\n' } };
    assert.deepEqual(
      configMapFindings(configMap, 'ConfigMap/x').map((f) => f.path),
      ['ConfigMap/x data[agent.yaml].redisUrl', 'ConfigMap/x data[agent.yaml]'],
    );
    assert.equal(secretTextFindings('not yaml: [ password=hunter2', 'x').length, 1);
  });

  it('lets through what only names a credential, and empty values', () => {
    const fine = {
      existingSecret: 'redis-auth',
      passwordKey: 'password',
      apiToken: { existingSecret: 'api', key: 'token' },
      credentialHeaders: ['authorization', 'cookie'],
      privateKeyAlgorithm: 'ECDSA',
      password: '',
      redisUrl: 'redis://redis.cache.svc:6379/0',
    };
    assert.deepEqual(secretValueFindings(fine, ''), []);
  });
});

describe('no secret values in ConfigMaps or chart defaults', () => {
  const configMaps = renderings.flatMap((rendering) =>
    rendering.manifests
      .filter((m) => m.kind === 'ConfigMap')
      .map((m) => ({ where: `${rendering.label} ConfigMap/${m.metadata.name}`, manifest: m as Any })),
  );

  it('scans every rendered ConfigMap: agent and controller config files and the Grafana dashboard', () => {
    const files = new Set(configMaps.flatMap(({ manifest }) => Object.keys(manifest.data ?? {})));
    assert.deepEqual([...files].sort(), ['agent.yaml', 'controller.yaml', 'sluice-dashboard.json']);
    // sluice chart, 3 renderers: defaults 2, everything on 3 (with the dashboard), agent only 1, controller only 1; plus 2 standalone.
    assert.equal(configMaps.length, 3 * 7 + 2);
  });

  it('no ConfigMap holds a credential (the Redis URL never carries one)', () => {
    for (const { where, manifest } of configMaps) assert.deepEqual(configMapFindings(manifest, where), []);
    assert.ok(
      configMaps.some(({ manifest }) =>
        /redisUrl: "rediss:\/\/redis\.cache:6380\/1"/.test(manifest.data?.['agent.yaml'] ?? ''),
      ),
      'the everything-on agent config does name its Redis, without credentials',
    );
  });

  for (const chart of CHARTS) {
    it(`charts/${chart}/values.yaml defaults hold no credential`, () => {
      const defaults = parse(readFileSync(join(CHARTS_DIRECTORY, chart, 'values.yaml'), 'utf8'), {
        version: '1.1',
      });
      assert.deepEqual(secretValueFindings(defaults ?? {}, ''), []);
    });
  }

  it('the keys let through as mere names of credentials are the reviewed ones', () => {
    const seen = CHARTS.flatMap((chart) =>
      credentialReferenceKeys(
        parse(readFileSync(join(CHARTS_DIRECTORY, chart, 'values.yaml'), 'utf8')) ?? {},
      ).map((path) => `${chart}: ${path}`),
    );
    assert.deepEqual(seen.sort(), [
      'istioconfig: extAuthz.credentialHeaders',
      'istioconfig: extAuthz.sendCredentialHeaders',
      'sluice: agent.redis.passwordKey',
      'tenant-gateways: certificate.privateKeyAlgorithm',
    ]);
  });

  it('a Redis URL with credentials is refused by the values schema', () => {
    for (const url of ['redis://:hunter2@redis:6379', 'redis://sluice:hunter2@redis:6379'])
      assert.equal(SluiceChartValuesSchema.safeParse({ agent: { redis: { url } } }).success, false, url);
  });
});

describe('credentials reach pods only through Secret references', () => {
  const containers = renderings.flatMap((rendering) =>
    rendering.manifests.flatMap((manifest) =>
      containersOf(manifest).map((container) => ({
        where: `${rendering.label} ${manifest.kind}/${manifest.metadata.name} ${container.name}`,
        container,
      })),
    ),
  );

  it('Sluice renders no Secret: every credential comes from one the user creates', () => {
    for (const rendering of renderings)
      assert.deepEqual(
        rendering.manifests.filter((m) => m.kind === 'Secret'),
        [],
        rendering.label,
      );
  });

  it('every credential variable is a secretKeyRef, never a literal value', () => {
    let references = 0;
    for (const { where, container } of containers) {
      for (const env of (container.env ?? []) as Any[]) {
        if (!CREDENTIAL_ENV.test(env.name)) continue;
        assert.equal(env.value, undefined, `${where} ${env.name} has a literal value`);
        assert.ok(env.valueFrom?.secretKeyRef?.name, `${where} ${env.name} is not read from a Secret`);
        references += 1;
      }
    }
    assert.ok(references >= 9, `${references} Secret references seen`);
  });

  it('the Redis password and the API token come from the Secrets the values name', () => {
    const everythingOn = containers.filter(({ where }) =>
      where.startsWith('synthesis sluice: everything on'),
    );
    const env = everythingOn.flatMap(({ container }) => container.env as Any[]);
    const ref = (name: string) => env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    assert.deepEqual(ref('REDIS_PASSWORD'), { name: 'redis-auth', key: 'password', optional: false });
    assert.deepEqual(ref('REDIS_USERNAME'), { name: 'redis-auth', key: 'username', optional: true });
    assert.deepEqual(ref('SLUICE_CONTROLLER_API_TOKEN'), {
      name: 'sluice-api',
      key: 'bearer',
      optional: false,
    });
  });

  it('the runtime Secrets are only named: the controller config names them, agents mount the record key by name', () => {
    const defaults = renderings.find((rendering) => rendering.label === 'synthesis sluice: defaults');
    const config = (
      defaults?.manifests.find(
        (m) => m.metadata.name === 'sluice-controller' && m.kind === 'ConfigMap',
      ) as Any
    ).data['controller.yaml'] as string;
    assert.match(config, /^apiTokenSecret: "sluice-controller-api-token"$/m);
    assert.match(config, /^recordKeySecret: "sluice-record-key"$/m);
    const daemonSet = defaults?.manifests.find((m) => m.kind === 'DaemonSet') as Any;
    const volume = (daemonSet.spec.template.spec.volumes as Any[]).find((v) => v.name === 'record-key');
    assert.deepEqual(volume?.secret, {
      secretName: 'sluice-record-key',
      optional: true,
      defaultMode: 0o444,
      items: [{ key: 'record-key', path: 'record-key' }],
    });
  });

  it('no literal environment value or argument is shaped like a credential', () => {
    for (const { where, container } of containers) {
      const literals = [
        ...((container.env ?? []) as Any[])
          .filter((e) => typeof e.value === 'string')
          .map((e) => e.value as string),
        ...((container.args ?? []) as string[]),
        ...((container.command ?? []) as string[]),
      ];
      for (const text of literals) assert.deepEqual(secretTextFindings(text, where), []);
    }
  });
});
