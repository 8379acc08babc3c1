import { z } from 'zod';

/** Environment the controller reads besides its config keys (those go through loadConfig). */
export const ControllerEnvSchema = z.object({
  SLUICE_CONTROLLER_API_TOKEN: z
    .string()
    .min(16, { message: 'must be at least 16 characters; a short token is guessable' })
    .optional()
    .describe('Bearer token the /v1 API requires; from a Secret, never a flag (flags show in ps).'),
});

export type ControllerEnv = z.output<typeof ControllerEnvSchema>;
