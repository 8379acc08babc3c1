import { z } from 'zod';
import {
  CONTROL_POINT_PATTERN,
  CONTROL_POINT_RULE,
  SERVICE_NAME_PATTERN,
  SERVICE_NAME_RULE,
} from './flow-names.js';
import { LabelMatcherSchema } from './label-matcher.js';

export const SelectorSchema = z
  .object({
    controlPoint: z
      .string()
      .regex(new RegExp(CONTROL_POINT_PATTERN), { message: `must be a control point: ${CONTROL_POINT_RULE}` })
      .describe('Control point name, e.g. ingress or egress (Envoy metadata control-point).'),
    service: z
      .string()
      .regex(new RegExp(SERVICE_NAME_PATTERN), { message: `must be a service name: ${SERVICE_NAME_RULE}` })
      .default('any')
      .describe('Service FQDN the flow belongs to, or any.'),
    agentGroup: z.string().min(1).default('default').describe('Agent group that applies the component.'),
    labelMatcher: LabelMatcherSchema.optional(),
  })
  .strict()
  .describe('Where a component applies: control point, service, agent group and an optional label matcher.');

export const SelectorsSchema = z.array(SelectorSchema).min(1);

export type Selector = z.output<typeof SelectorSchema>;
export type SelectorInput = z.input<typeof SelectorSchema>;
