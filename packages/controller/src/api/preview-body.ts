import {
  DURATION_PATTERN,
  durationMs,
  durationSchema,
  LabelMatcherSchema,
  parseWith,
  type ParseResult,
} from '@sluice/spec';
import { z } from 'zod';
import type { PreviewQuery } from '../sync/preview-request.js';

/** Longest a preview may wait; a CLI call should not hang for minutes (Aperture's never timed out). */
export const MAX_PREVIEW_TIMEOUT_MS = 60_000;

/** Body of `POST /v1/preview`. Unknown keys are errors, like everywhere else. */
export const PreviewBodySchema = z
  .object({
    controlPoint: z.string().min(1).describe('Control point to sample at, e.g. ingress.'),
    service: z.string().min(1).optional().describe('Service FQDN; any service when absent.'),
    labelMatcher: LabelMatcherSchema.pick({ matchLabels: true })
      .optional()
      .describe('Only flows with all these labels are sampled.'),
    samples: z.number().int().min(1).max(1000).default(10).describe('Samples wanted.'),
    timeout: durationSchema('How long agents sample before answering with what they have.').default('10s'),
    kind: z
      .enum(['flow-labels', 'http-request'])
      .default('flow-labels')
      .describe('flow-labels, or the full request document.'),
  })
  .strict()
  .superRefine((body, context) => {
    // zod still runs this refinement when the timeout failed its own pattern; that issue is already reported.
    if (!new RegExp(DURATION_PATTERN).test(body.timeout)) return;
    if (durationMs(body.timeout) > MAX_PREVIEW_TIMEOUT_MS)
      context.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: `must be at most ${MAX_PREVIEW_TIMEOUT_MS / 1000}s`,
      });
  });

export function parsePreviewBody(input: unknown): ParseResult<PreviewQuery> {
  const parsed = parseWith(PreviewBodySchema, input);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  return {
    ok: true,
    value: {
      controlPoint: body.controlPoint,
      ...(body.service !== undefined ? { service: body.service } : {}),
      ...(body.labelMatcher?.matchLabels !== undefined ? { matchLabels: body.labelMatcher.matchLabels } : {}),
      samples: body.samples,
      timeoutMs: durationMs(body.timeout),
      kind: body.kind,
    },
  };
}
