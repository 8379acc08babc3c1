import { z } from 'zod';

/** Flow-label names: lower-case letters, digits and `._-`, as header-derived labels are. */
export const LABEL_KEY_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.\\-/]{0,127}$';

export const labelKeySchema = z.string().regex(new RegExp(LABEL_KEY_PATTERN), {
  message: 'must be a flow-label name: letters, digits, "_", ".", "-" or "/", at most 128 characters',
});

export const MatchExpressionSchema = z
  .object({
    key: labelKeySchema.describe('Flow label the expression tests.'),
    operator: z
      .enum(['In', 'NotIn', 'Exists', 'DoesNotExist'])
      .describe('In and NotIn need values; Exists and DoesNotExist take none.'),
    values: z.array(z.string()).optional().describe('Values for In and NotIn.'),
  })
  .strict()
  .superRefine((expression, context) => {
    const needsValues = expression.operator === 'In' || expression.operator === 'NotIn';
    const count = expression.values?.length ?? 0;
    if (needsValues && count === 0) {
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: `operator ${expression.operator} needs at least one value`,
      });
    }
    if (!needsValues && count > 0) {
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: `operator ${expression.operator} takes no values`,
      });
    }
  });

export const LabelMatcherSchema = z
  .object({
    matchLabels: z
      .record(labelKeySchema, z.string())
      .optional()
      .describe('Labels that must equal these values.'),
    matchExpressions: z
      .array(MatchExpressionSchema)
      .optional()
      .describe('Set-based requirements; all must hold.'),
  })
  .strict()
  .describe(
    'Matches flows by their labels; all requirements must hold (an empty matcher matches everything).',
  );

export type MatchExpression = z.output<typeof MatchExpressionSchema>;
export type LabelMatcher = z.output<typeof LabelMatcherSchema>;
