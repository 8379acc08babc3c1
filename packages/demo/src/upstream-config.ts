/**
 * The demo upstream's knobs. Defaults are those of Aperture's demo app: 10 requests in service at
 * once, 50 ms each, 5% errors.
 */
import { z } from 'zod';

export const DemoUpstreamConfigSchema = z
  .object({
    /** Interface to listen on. @default '127.0.0.1' */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port; 0 asks the kernel for a free one. @default 0 */
    port: z.number().int().min(0).max(65535).default(0),
    /** Requests in service at once; the rest wait in FIFO order. @default 10 */
    concurrency: z.number().int().min(1).default(10),
    /** Service time of each request, ms. @default 50 */
    latencyMs: z.number().min(0).default(50),
    /** Share of requests answered 500 (never 503, which is Sluice's). @default 0.05 */
    errorRatio: z.number().min(0).max(1).default(0.05),
    /**
     * What a request meets when every worker is busy: `queue` waits in FIFO order (latency grows under
     * overload); `fast-503` is answered 503 at once instead of queueing (latency stays normal, errors
     * rise); `stall` is held `stallMs` without being served, far past any proxy timeout, then answered
     * 503 if the client is still there (no response in time, so Envoy logs RESPONSE_DURATION `-`).
     * @default 'queue'
     */
    overload: z.enum(['queue', 'fast-503', 'stall']).default('queue'),
    /** How long `stall` holds a request, ms. @default 60000 */
    stallMs: z.number().int().min(0).default(60_000),
  })
  .strict();

export type DemoUpstreamConfigInput = z.input<typeof DemoUpstreamConfigSchema>;
export type DemoUpstreamConfig = z.output<typeof DemoUpstreamConfigSchema>;
