import { z } from 'zod';
import { labelKeySchema } from './label-matcher.js';
import { SelectorsSchema } from './selector.js';

/**
 * One label a classifier produces. Exactly one source: a request header, a JSON pointer into the
 * parsed body, or a path template whose named segment becomes the value.
 */
export const ClassifierRuleSchema = z
  .object({
    header: z.string().min(1).optional().describe('Request header to read (case-insensitive).'),
    jsonPointer: z
      .string()
      .regex(/^(\/[^/]*)*$/, { message: 'must be an RFC 6901 JSON pointer such as /user/id' })
      .optional()
      .describe('RFC 6901 pointer into the JSON request body.'),
    pathTemplate: z
      .string()
      .regex(/^\//, { message: 'must start with /' })
      .optional()
      .describe(
        'Path template such as /tenants/{tenant}/orders; the segment named by `segment` becomes the value.',
      ),
    segment: z.string().min(1).optional().describe('Template segment to use; defaults to the label name.'),
    telemetry: z
      .boolean()
      .optional()
      .describe(
        'Export the label in access-log telemetry (the decision metadata Envoy logs). Unset: exported for jsonPointer and pathTemplate rules, not for header rules, whose values often carry credentials or personal data; a header rule exports only with telemetry: true, and a header on the agent redaction list is exported as <redacted> even then.',
      ),
    propagate: z.boolean().default(false).describe('Add the label to the upstream W3C baggage header.'),
  })
  .strict()
  .superRefine((rule, context) => {
    const sources = [rule.header, rule.jsonPointer, rule.pathTemplate].filter(
      (source) => source !== undefined,
    );
    if (sources.length !== 1) {
      context.addIssue({
        code: 'custom',
        message: `needs exactly one of header, jsonPointer or pathTemplate (found ${sources.length})`,
      });
    }
    if (rule.segment !== undefined && rule.pathTemplate === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['segment'],
        message: 'segment is only meaningful with pathTemplate',
      });
    }
  });

export const ClassifierSchema = z
  .object({
    selectors: SelectorsSchema,
    rules: z
      .record(labelKeySchema, ClassifierRuleSchema)
      .describe('Flow labels to create, keyed by label name.'),
  })
  .strict();

export type ClassifierRule = z.output<typeof ClassifierRuleSchema>;

/** Whether a rule's label is exported as telemetry: as set, else every source but a header. */
export function classifierRuleTelemetry(rule: Pick<ClassifierRule, 'telemetry' | 'header'>): boolean {
  return rule.telemetry ?? rule.header === undefined;
}
export type Classifier = z.output<typeof ClassifierSchema>;
