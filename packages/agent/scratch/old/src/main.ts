#!/usr/bin/env node
import { z } from 'zod';
import { Agent } from './agent.js';
import { parseAgentCommandLine, USAGE, UsageError } from './config/agent-cli.js';

/** The only reader of process.env: Redis credentials come from here and nowhere else. */
const EnvSchema = z.object({
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
});

async function main(): Promise<number> {
  let request;
  try {
    request = parseAgentCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`sluice-agent: ${(error as Error).message}\n`);
    return 2;
  }
  if (request.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const parsedEnv = EnvSchema.safeParse({
    REDIS_USERNAME: process.env['REDIS_USERNAME'] || undefined,
    REDIS_PASSWORD: process.env['REDIS_PASSWORD'] || undefined,
  });
  if (!parsedEnv.success) {
    process.stderr.write(
      `sluice-agent: environment is invalid: ${parsedEnv.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
    );
    return 2;
  }
  const env = parsedEnv.data;
  const agent = new Agent({
    config: request.config,
    redisCredentials: {
      ...(env.REDIS_USERNAME !== undefined ? { username: env.REDIS_USERNAME } : {}),
      ...(env.REDIS_PASSWORD !== undefined ? { password: env.REDIS_PASSWORD } : {}),
    },
    // From the config file, SLUICE_AGENT_REDIS_CALL_TIMEOUT_MS or its default (the shared config schema).
    redisCallTimeoutMs: request.config.redisCallTimeoutMs,
    reportIntervalMs: request.config.reportIntervalMs,
  });
  try {
    const ports = await agent.start();
    // Machine-readable line for wrappers and tests that start the agent on port 0.
    process.stdout.write(`${JSON.stringify({ listening: ports })}\n`);
  } catch (error) {
    process.stderr.write(`sluice-agent: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      process.stderr.write(`sluice-agent: ${signal}: draining\n`);
      agent.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `sluice-agent: ${error instanceof UsageError ? error.message : String((error as Error).stack ?? error)}\n`,
    );
    process.exit(1);
  },
);
