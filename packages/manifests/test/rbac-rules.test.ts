import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Manifest } from './support/helm.js';
import { renderEverything, SLUICE_CASES } from './support/rendered-installs.js';

/**
 * Every RBAC rule Sluice renders (constructs and `helm template` of every chart, defaults and every option
 * that adds objects), held to an explicit table. A new rule, verb or resource fails here until someone adds
 * it to the table with the reason it is needed.
 */

type Any = Record<string, any>;

interface Grant {
  readonly kind: 'Role' | 'ClusterRole';
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: readonly string[];
  /**
   * `own name`: limited to the object named like the Role itself (the controller's Lease);
   * `runtime secrets`: limited to the Secrets the controller creates at run time,
   * `<fullname>-controller-api-token` and `<fullname>-record-key`.
   */
  readonly resourceNames?: 'own name' | 'runtime secrets';
}

interface ExpectedGrant extends Grant {
  readonly why: string;
}

const EXPECTED: readonly ExpectedGrant[] = [
  {
    kind: 'Role',
    apiGroup: 'sluice.dev',
    resource: 'flowpolicies',
    verbs: ['get', 'list', 'watch'],
    why: 'the controller loads the FlowPolicy resources of its namespace and watches them for changes',
  },
  {
    kind: 'Role',
    apiGroup: 'sluice.dev',
    resource: 'flowpolicies/status',
    verbs: ['get', 'update', 'patch'],
    why: 'it reports Ready / Invalid with a path-precise message and persists the latency baseline in status',
  },
  {
    kind: 'Role',
    apiGroup: '',
    resource: 'secrets',
    verbs: ['create'],
    why: 'it creates the API token and record-key Secrets at run time when absent (never rendered: a rendered random value changes every render); RBAC cannot limit create to a name',
  },
  {
    kind: 'Role',
    apiGroup: '',
    resource: 'secrets',
    verbs: ['get'],
    resourceNames: 'runtime secrets',
    why: 'it reads back the token and the record key, so several replicas converge on the first one written; only those two names',
  },
  {
    kind: 'ClusterRole',
    apiGroup: 'authentication.k8s.io',
    resource: 'tokenreviews',
    verbs: ['create'],
    why: 'agents authenticate to AgentSync with a projected service-account token the controller checks by TokenReview (cluster-scoped)',
  },
  {
    kind: 'Role',
    apiGroup: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['create'],
    why: 'with replicas > 1 the first candidate creates the election Lease; RBAC cannot limit create to a name',
  },
  {
    kind: 'Role',
    apiGroup: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['get', 'update'],
    resourceNames: 'own name',
    why: 'candidates read and the leader renews only the controller’s own Lease',
  },
];

const key = (grant: Grant) =>
  `${grant.kind} ${grant.apiGroup || '(core)'} ${grant.resource} [${grant.verbs.join(',')}]${grant.resourceNames ? ` ${grant.resourceNames}` : ''}`;

const renderings = await renderEverything();

interface Found extends Grant {
  readonly where: string;
}

/**
 * Flattens rules into one grant per API group and resource; `resourceNames` must be the Role's own name, or
 * for Secrets one or both of the runtime Secrets of the same release.
 */
function grantsOf(role: Manifest, where: string): Found[] {
  const name = role.metadata.name;
  const fullname = name.replace(/-controller$/, '');
  const runtimeSecrets = [`${fullname}-controller-api-token`, `${fullname}-record-key`];
  return ((role as Any).rules ?? []).flatMap((rule: Any, index: number) => {
    const names = rule.resourceNames as string[] | undefined;
    const secrets = (rule.resources as string[]).includes('secrets');
    if (names !== undefined && secrets)
      assert.ok(
        names.length > 0 && names.every((n) => runtimeSecrets.includes(n)),
        `${where} rule ${index}: Secret names ${names.join(', ')} other than ${runtimeSecrets.join(', ')}`,
      );
    else if (names !== undefined)
      assert.deepEqual(names, [name], `${where} rule ${index}: resourceNames other than the Role's own name`);
    return (rule.apiGroups as string[]).flatMap((apiGroup) =>
      (rule.resources as string[]).map((resource) => ({
        kind: role.kind as Grant['kind'],
        apiGroup,
        resource,
        verbs: rule.verbs as string[],
        ...(names !== undefined
          ? { resourceNames: secrets ? ('runtime secrets' as const) : ('own name' as const) }
          : {}),
        where: `${where} rule ${index}`,
      })),
    );
  });
}

const roles = renderings.flatMap((rendering) =>
  rendering.manifests
    .filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole')
    .map((role) => ({ rendering, role, where: `${rendering.label} ${role.kind}/${role.metadata.name}` })),
);
const grants = roles.flatMap(({ role, where }) => grantsOf(role, where));

describe('RBAC: every rendered rule is reviewed', () => {
  it('finds the controller Role and its TokenReview ClusterRole in each rendering that deploys the controller', () => {
    // sluice: defaults, everything on, controller only (3 cases × synthesis, Helm 3, Helm 4), plus the standalone construct.
    assert.equal(roles.filter(({ role }) => role.kind === 'Role').length, 3 * 3 + 1);
    assert.equal(roles.filter(({ role }) => role.kind === 'ClusterRole').length, 3 * 3 + 1);
    // Role: FlowPolicy 2, runtime Secrets 2 unless both are the user's (everything on), Leases 2 with
    // replicas > 1 (everything on, controller only, standalone); the ClusterRole 1.
    // defaults 2+2+1, everything on 2+2+1, controller only 2+2+2+1, standalone 2+2+2+1.
    assert.equal(grants.length, 3 * (5 + 5 + 7) + 7);
  });

  it('no events rule: nothing in the controller records Events', () => {
    assert.ok(grants.every((grant) => grant.resource !== 'events'));
  });

  it('Secret rules name exactly the Secrets the controller creates: none when the user names both', () => {
    for (const { rendering, role, where } of roles.filter(({ role }) => role.kind === 'Role')) {
      const named = ((role as Any).rules as Any[])
        .filter(
          (rule) => (rule.resources as string[]).includes('secrets') && rule.resourceNames !== undefined,
        )
        .flatMap((rule) => rule.resourceNames as string[]);
      const config = rendering.manifests.find(
        (m) => m.kind === 'ConfigMap' && m.metadata.name === role.metadata.name,
      ) as Any;
      const text = config.data['controller.yaml'] as string;
      const created = [...text.matchAll(/^(?:apiTokenSecret|recordKeySecret): "([^"]+)"$/gm)].map(
        (m) => m[1],
      );
      assert.deepEqual(named, created, where);
    }
  });

  it('no wildcard in verbs, resources, API groups, resource names or URLs', () => {
    for (const { role, where } of roles) {
      for (const rule of (role as Any).rules as Any[]) {
        for (const field of ['verbs', 'resources', 'apiGroups', 'resourceNames', 'nonResourceURLs'])
          assert.ok(!((rule[field] ?? []) as string[]).some((v) => v.includes('*')), `${where} ${field}`);
      }
    }
  });

  it('every rule is in the reviewed table', () => {
    const allowed = new Map(EXPECTED.map((grant) => [key(grant), grant.why]));
    for (const grant of grants)
      assert.ok(
        allowed.has(key(grant)),
        `${grant.where}: ${key(grant)} is not reviewed; add it to EXPECTED with why`,
      );
  });

  it('every table entry is still rendered somewhere (no stale approvals)', () => {
    const rendered = new Set(grants.map(key));
    for (const grant of EXPECTED) assert.ok(rendered.has(key(grant)), `${key(grant)} is never rendered`);
  });

  it('Lease rules appear exactly when the controller runs more than one replica, for the Lease it is told to use', () => {
    for (const { rendering, role, where } of roles.filter(({ role }) => role.kind === 'Role')) {
      const deployment = rendering.manifests.find(
        (m) => m.kind === 'Deployment' && m.metadata.name === role.metadata.name,
      ) as Any;
      const replicas = deployment.spec.replicas as number;
      const leases = grantsOf(role, where).filter((grant) => grant.resource === 'leases');
      const env = deployment.spec.template.spec.containers[0].env as Any[];
      const leaseName = env.find((e) => e.name === 'SLUICE_CONTROLLER_LEASE_NAME')?.value;
      if (replicas > 1) {
        assert.equal(leases.length, 2, where);
        assert.equal(
          leaseName,
          role.metadata.name,
          `${where}: the Lease the controller uses is the one it may renew`,
        );
      } else {
        assert.deepEqual(leases, [], where);
        assert.equal(leaseName, undefined, where);
      }
    }
    assert.ok(SLUICE_CASES.some((c) => (c.values.controller as Any | undefined)?.replicas > 1));
  });

  it('each binding grants its Role to its own component ServiceAccount only; the agent has no binding and no token', () => {
    for (const rendering of renderings) {
      for (const binding of rendering.manifests.filter((m) => m.kind === 'RoleBinding') as Any[]) {
        assert.equal(binding.roleRef.kind, 'Role');
        assert.deepEqual(binding.subjects, [
          { kind: 'ServiceAccount', name: binding.roleRef.name, namespace: binding.metadata.namespace },
        ]);
        assert.match(binding.roleRef.name, /-controller$/);
      }
      // The ClusterRole is named <namespace>-<controller>, so two releases of one name in two namespaces never share it.
      for (const binding of rendering.manifests.filter((m) => m.kind === 'ClusterRoleBinding') as Any[]) {
        assert.equal(binding.roleRef.kind, 'ClusterRole', rendering.label);
        const subject = (binding.subjects as Any[])[0] as Any;
        assert.equal(binding.subjects.length, 1);
        assert.equal(subject.kind, 'ServiceAccount');
        assert.match(subject.name, /-controller$/);
        assert.equal(binding.roleRef.name, `${subject.namespace}-${subject.name}`, rendering.label);
        assert.equal(binding.metadata.name, binding.roleRef.name);
      }
      for (const account of rendering.manifests.filter(
        (m) => m.kind === 'ServiceAccount' && m.metadata.name.endsWith('-agent'),
      ) as Any[])
        assert.equal(account.automountServiceAccountToken, false, rendering.label);
    }
  });
});
