export { toJsonSchema, JSON_SCHEMA_DRAFT_07, type JsonSchemaOptions } from './json-schema.js';
export { toStructuralSchema, StructuralSchemaError, type StructuralSchemaOptions } from './crd-schema.js';
export { checkStructural } from './structural-check.js';
export { STRUCTURAL_RULES, type StructuralRule, type StructuralViolation } from './structural-rules.js';
export { assertRe2Pattern, findRe2Problems, Re2PatternError, type Re2Problem } from './re2-pattern.js';
export { dataPath, schemaPointer, type SchemaNode, type SchemaPath } from './schema-path.js';
