import { z } from 'zod';

/** Environment the controller reads besides its config keys (those go through loadConfig). */
export const ControllerEnvSchema = z.object({
  SLUICE_CONTROLLER_API_TOKEN: z
    .string()
    .min(16, { message: 'must be at least 16 characters; a short token is guessable' })
    .optional()
    .describe('Bearer token the /v1 API requires; from a Secret, never a flag (flags show in ps).'),
  POD_NAME: z
    .string()
    .min(1)
    .optional()
    .describe('The pod name (downward API): this replica’s identity in the Lease. Unset: hostname_pid.'),
  POD_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a namespace name (DNS label)' })
    .max(63)
    .optional()
    .describe('The pod namespace (downward API): where the Lease lives. Unset: the `namespace` config key.'),
});

export type ControllerEnv = z.output<typeof ControllerEnvSchema>;
