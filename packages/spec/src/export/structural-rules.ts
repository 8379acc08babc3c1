import type { SchemaNode } from './schema-path.js';

/**
 * The rules a CustomResourceDefinition version's `openAPIV3Schema` must follow to be accepted by the
 * API server as a structural schema, as enforced by apiextensions-apiserver (`ValidateStructural`,
 * `validateStructuralCompleteness` and the CRD OpenAPI schema validation).
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
export const STRUCTURAL_RULES = [
  /** Every root, property, item and map-value node needs a `type` (unless int-or-string or preserving unknown fields). */
  'missing-type',
  /** `type` is one OpenAPI type name; never a list and never `null` (use `nullable`). */
  'invalid-type',
  'root-not-object',
  'array-without-items',
  /** `items` is one schema, not a tuple list. */
  'tuple-items',
  'properties-with-additional-properties',
  /** Closed objects are the default (unknown fields are pruned); `additionalProperties: false` is rejected. */
  'additional-properties-false',
  'additional-properties-at-root',
  /** `allOf`/`anyOf`/`oneOf`/`not` hold value validations only: no type, default, description, nullable, additionalProperties or `x-kubernetes-*`. */
  'junctor-forbidden-keyword',
  /** Every property or items a junctor mentions is also specified outside the junctors. */
  'junctor-incomplete',
  /** A keyword Kubernetes' JSONSchemaProps lacks or forbids (`$ref`, `definitions`, `$schema`, `const`, ...). */
  'unsupported-keyword',
  /** Root `metadata` may only be `type: object` with `name`/`generateName`; no junctor may mention metadata. */
  'metadata-restricted',
  /** Root `kind` and `apiVersion` are strings without defaults. */
  'kind-api-version',
  /** A `default` holds fields that pruning would drop. */
  'default-pruned',
  'non-re2-pattern',
  'preserve-unknown-fields-false',
  /** `uniqueItems: true` is forbidden (quadratic); `x-kubernetes-list-type: set` replaces it. */
  'unique-items',
  /** OpenAPI v3.0 bounds: `exclusiveMinimum`/`exclusiveMaximum` are booleans beside `minimum`/`maximum`. */
  'exclusive-bound-not-boolean',
  /** With the status subresource, the root holds only properties, required, description and a few more. */
  'root-keyword',
  /** `x-kubernetes-int-or-string` excludes `x-kubernetes-preserve-unknown-fields`. */
  'int-or-string-conflict',
] as const;

/**
 * The rules a CustomResourceDefinition version's `openAPIV3Schema` must follow for the API server to
 * accept it as a structural schema (see {@link STRUCTURAL_RULES}).
 */
export type StructuralRule = (typeof STRUCTURAL_RULES)[number];

export interface StructuralViolation {
  /** JSON Pointer into the checked schema, e.g. `#/properties/spec/properties/rules`. */
  readonly path: string;
  readonly rule: StructuralRule;
  readonly message: string;
}

export const OPENAPI_TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** JSONSchemaProps fields the API server accepts in a v1 CRD (it forbids `$ref`, `definitions`, ...). */
export const SUPPORTED_KEYWORDS = new Set([
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'properties',
  'additionalProperties',
  'externalDocs',
  'example',
  'nullable',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);

export const KEYWORD_ADVICE: Record<string, string> = {
  $ref: 'inline the referenced schema',
  definitions: 'inline the definitions',
  $defs: 'inline the definitions',
  $schema: 'drop it',
  const: 'write enum: [value]',
  examples: 'write a single example',
  propertyNames: 'map keys cannot be constrained',
  patternProperties: 'use additionalProperties',
};

/** Fields allowed at the root when the status subresource is enabled (apiextensions `allowedFieldsAtRootSchema`). */
export const ROOT_KEYWORDS = new Set([
  'description',
  'type',
  'format',
  'title',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'required',
  'items',
  'properties',
  'externalDocs',
  'example',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
]);

export const JUNCTOR_FORBIDDEN = [
  'type',
  'default',
  'additionalProperties',
  'description',
  'title',
  'nullable',
  'externalDocs',
];

/** The only typed junctor allowed: int-or-string's `anyOf: [{type: integer}, {type: string}]`. */
export const INT_OR_STRING_ANY_OF: readonly SchemaNode[] = [{ type: 'integer' }, { type: 'string' }];
