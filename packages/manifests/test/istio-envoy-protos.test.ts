import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEnvoyFilterPatch, checkEnvoyMessage } from '@sluice/spec/protos';
import type { Manifest } from './support/helm.js';
import { ISTIO_CASES, synthesiseIstio } from './support/istio-cases.js';

type Patch = { applyTo: string; patch: { operation: string; value: Record<string, any> } };

/** Every EnvoyFilter patch of the whole matrix (sidecar, gateway and exact-balance filters). */
const patches: { label: string; patch: Patch }[] = ISTIO_CASES.flatMap((testCase) =>
  synthesiseIstio(testCase)
    .filter((object: Manifest) => object.kind === 'EnvoyFilter')
    .flatMap((object) =>
      ((object.spec as { configPatches: Patch[] }).configPatches ?? []).map((patch, index) => ({
        label: `${testCase.name}: ${object.metadata.name}[${index}]`,
        patch,
      })),
    ),
);

describe("EnvoyFilter patch values against Envoy's protos, field by field", () => {
  it('every patch of the matrix checks clean (message type from applyTo, each @type resolved)', () => {
    const applyTo = new Set(patches.map(({ patch }) => patch.applyTo));
    assert.deepEqual([...applyTo].sort(), ['HTTP_FILTER', 'LISTENER', 'NETWORK_FILTER']);
    assert.ok(patches.length >= 50, `${patches.length} patches`);
    for (const { label, patch } of patches) assert.deepEqual(checkEnvoyFilterPatch(patch), [], label);
  });

  const extAuthz = patches.find(({ patch }) => patch.applyTo === 'HTTP_FILTER')?.patch as Patch;
  const accessLog = patches.find(({ patch }) => patch.applyTo === 'NETWORK_FILTER')?.patch as Patch;
  const mutate = (patch: Patch, change: (value: Record<string, any>) => void): Patch => {
    const copy = structuredClone(patch);
    change(copy.patch.value);
    return copy;
  };

  it('a one-letter typo in an ext_authz field fails, naming the path', () => {
    const bad = mutate(extAuthz, (value) => {
      value.typed_config.failure_mode_alow = value.typed_config.failure_mode_allow;
      delete value.typed_config.failure_mode_allow;
    });
    const issues = checkEnvoyFilterPatch(bad);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.path, 'patch.patch.value.typed_config.failure_mode_alow');
    assert.match(
      issues[0]?.allowed ?? '',
      /unknown field of envoy\.extensions\.filters\.http\.ext_authz\.v3\.ExtAuthz/,
    );
  });

  it('a Duration that is not a seconds string fails (timeout 250ms, or a number)', () => {
    for (const timeout of ['250ms', 0.25]) {
      const issues = checkEnvoyFilterPatch(
        mutate(extAuthz, (value) => (value.typed_config.grpc_service.timeout = timeout)),
      );
      assert.deepEqual(
        issues.map((i) => i.path),
        ['patch.patch.value.typed_config.grpc_service.timeout'],
        String(timeout),
      );
    }
  });

  it('a wrong type fails (buffer_size_bytes as a string, failure_mode_allow as "true")', () => {
    const log = checkEnvoyFilterPatch(
      mutate(
        accessLog,
        (value) => (value.typed_config.access_log[0].typed_config.common_config.buffer_size_bytes = 'big'),
      ),
    );
    assert.equal(log.length, 1);
    assert.match(log[0]?.path ?? '', /common_config\.buffer_size_bytes$/);
    const authz = checkEnvoyFilterPatch(
      mutate(extAuthz, (value) => (value.typed_config.failure_mode_allow = 'true')),
    );
    assert.match(authz[0]?.allowed ?? '', /bool/);
  });

  it('a typo in a nested @type message (the OTel access log) and in a type URL both fail', () => {
    const nested = checkEnvoyFilterPatch(
      mutate(
        accessLog,
        (value) => (value.typed_config.access_log[0].typed_config.common_config.log_nme = 'x'),
      ),
    );
    assert.match(nested[0]?.path ?? '', /common_config\.log_nme$/);
    const typeUrl = checkEnvoyFilterPatch(mutate(extAuthz, (value) => (value.typed_config['@type'] += 'x')));
    assert.match(typeUrl[0]?.path ?? '', /@type$/);
  });

  it('the exact-balance listener value is a valid Listener fragment, and a misspelt exact_balance is not', () => {
    assert.deepEqual(
      checkEnvoyMessage('envoy.config.listener.v3.Listener', {
        connection_balance_config: { exact_balance: {} },
      }),
      [],
    );
    assert.equal(
      checkEnvoyMessage('envoy.config.listener.v3.Listener', {
        connection_balance_config: { exact_balanse: {} },
      }).length,
      1,
    );
  });
});
