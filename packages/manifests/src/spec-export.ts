/** Schema exporters from `@sluice/spec` (`packages/spec/src/export/`), in one place for this package. */
export { toJsonSchema, toStructuralSchema, type SchemaNode } from '@sluice/spec';
