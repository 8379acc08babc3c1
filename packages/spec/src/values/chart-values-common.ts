import { z } from 'zod';

/**
 * Building blocks shared by the chart values schemas. Every pattern here is RE2-safe because Helm checks
 * `values.schema.json` with Go's regexp, and every object is closed so a typo is refused, not ignored.
 */

/** A TCP port. Ports are values so that a sidecar-mode agent can move off an application's port. */
export function portSchema(fallback: number, description: string) {
  return z.number().int().min(1).max(65535).default(fallback).describe(description);
}

/** Image reference parts; the tag falls back to the chart's appVersion so chart and binary move together. */
export function imageSchema(repository: string) {
  return z
    .object({
      repository: z
        .string()
        .regex(/^[a-z0-9]+([._/:-][a-z0-9]+)*$/, {
          message: 'must be an image repository such as ghcr.io/org/name',
        })
        .max(255)
        .default(repository)
        .describe('Image repository, without tag.'),
      tag: z
        .string()
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, {
          message: 'must be an image tag (letters, digits, _ . -)',
        })
        .optional()
        .describe("Image tag. Unset or empty: the chart's appVersion."),
      pullPolicy: z
        .enum(['Always', 'IfNotPresent', 'Never'])
        .default('IfNotPresent')
        .describe('Kubernetes imagePullPolicy, set explicitly so it never depends on the tag.'),
    })
    .strict()
    .prefault({})
    .describe('Container image.');
}

/** A Kubernetes resource quantity written as a string (`100m`, `128Mi`); numbers are refused to keep output stable. */
const quantitySchema = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, {
  message: 'must be a quantity such as 100m, 1, 128Mi or 2Gi',
});

function resourceListSchema(fallback: { cpu: string; memory: string }) {
  return z
    .object({
      cpu: quantitySchema.default(fallback.cpu).describe('CPU, e.g. 100m or 1.'),
      memory: quantitySchema.default(fallback.memory).describe('Memory, e.g. 128Mi.'),
    })
    .strict()
    .prefault({});
}

/**
 * Requests and limits, passed through whole to the container. Defaults sit on the leaves, never on the
 * objects: Helm merges user values into values.yaml key by key, and zod must give the same result, which
 * it does only when an object's default is built from its fields' defaults (`prefault({})`).
 */
export function resourcesSchema(fallback: {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}) {
  return z
    .object({
      requests: resourceListSchema(fallback.requests).describe('What the scheduler reserves.'),
      limits: resourceListSchema(fallback.limits).describe(
        'Hard ceilings; memory over the limit is OOM-killed.',
      ),
    })
    .strict()
    .prefault({})
    .describe(
      'Container resources, passed through to the pod spec. Always set: the chart never leaves them empty.',
    );
}

/** One Kubernetes toleration, closed so a misspelt field is refused. */
export const TolerationSchema = z
  .object({
    key: z
      .string()
      .regex(/^[A-Za-z0-9./_-]{1,316}$/)
      .optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z
      .string()
      .regex(/^[A-Za-z0-9._-]{0,63}$/)
      .optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().min(0).max(31_536_000).optional(),
  })
  .strict();

/** Name of an existing Kubernetes object in the release namespace (DNS-1123 subdomain). */
export function objectNameSchema(description: string) {
  return z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      message: 'must be a DNS-1123 name: lower-case letters, digits, - and .',
    })
    .describe(description);
}

/** A key inside a Secret. */
export function secretKeySchema(fallback: string, description: string) {
  return z
    .string()
    .regex(/^[-._a-zA-Z0-9]{1,253}$/, { message: 'must be a Secret key: letters, digits, - _ .' })
    .default(fallback)
    .describe(description);
}

export const LogLevelSchema = z
  .enum(['debug', 'info', 'warn', 'error'])
  .default('info')
  .describe('Log level.');

// Kubernetes' label rules (apimachinery validation.IsQualifiedName, IsValidLabelValue): an optional DNS
// subdomain prefix and `/`, a name of at most 63 characters; a value of at most 63, possibly empty.
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Extra labels for an object, checked by Kubernetes' rules for keys and values. */
export function labelsSchema(description: string) {
  return z
    .record(
      z
        .string()
        .max(317)
        .regex(LABEL_KEY, { message: 'must be a label key such as release or example.com/team' }),
      z.string().regex(LABEL_VALUE, { message: 'must be a label value: at most 63 letters, digits, - _ .' }),
    )
    .default({})
    .describe(description);
}
