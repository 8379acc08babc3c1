/**
 * Profiles the agent's Check path under load: the agent runs with `node --cpu-prof` while h2load
 * saturates it, and the `.cpuprofile` V8 writes at exit is summarised (self time per function,
 * inclusive time of agent functions, time per origin).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledBenchPolicy, BENCH_CONTROL_POINT } from '../decision-path/bench-policy.js';
import { decisionRecordFrom, logBatchFor } from '../access-log/access-log-bench.js';
import { startCheckServer } from '../decision-path/check-servers.js';
import { CHECK_PATH, GRPC_REQUEST_HEADERS, LOGS_EXPORT_PATH } from '../decision-path/check-request-bytes.js';
import { H2LOAD_INSTALL_HINT, h2loadVersion, runH2load } from '../decision-path/h2load-runner.js';
import type { Figure, StageReport } from '../report/figures.js';
import { summariseCpuProfile, type CpuProfile, type ProfileSummary } from './cpu-profile-summary.js';

const SECTION = 'profile';

/** What the agent is profiled doing: deciding Checks in a policy state, or taking access-log batches. */
export type ProfiledWork = 'agent-pass-through' | 'agent-lm-0.5' | 'access-log';

export interface AgentProfileOptions {
  readonly checkBody: Buffer;
  /** Saturating load after a warm-up, s. */
  readonly seconds: number;
  readonly states: readonly ProfiledWork[];
  readonly outputDir: string;
  readonly log: (line: string) => void;
}

async function profileState(
  state: AgentProfileOptions['states'][number],
  options: AgentProfileOptions,
): Promise<{ summary: ProfileSummary; path: string; requestsPerSecond: number }> {
  const dir = join(options.outputDir, 'profiles');
  mkdirSync(dir, { recursive: true });
  const name = `${state}.cpuprofile`;
  const agent = await startCheckServer({
    // Logs are profiled on the pass-through agent: its flux meters take every record.
    kind: state === 'access-log' ? 'agent-pass-through' : state,
    policy: compiledBenchPolicy(),
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`],
  });
  // Checks/s, or Export batches/s for the access-log profile.
  let requestsPerSecond = Number.NaN;
  try {
    const logs = state === 'access-log';
    const logBatch = logs ? logBatchFor(await decisionRecordFrom(agent, options.checkBody)).batch : undefined;
    const saturate = (requests: number) =>
      runH2load({
        url: `http://127.0.0.1:${agent.grpcPort}${logs ? LOGS_EXPORT_PATH : CHECK_PATH}`,
        body: logBatch ?? options.checkBody,
        headers: logs
          ? GRPC_REQUEST_HEADERS
          : { ...GRPC_REQUEST_HEADERS, 'control-point': BENCH_CONTROL_POINT },
        requests,
        clients: logs ? 4 : 16,
        streamsPerClient: logs ? 4 : 32,
      });
    // The warm-up also fills the scheduler's 5 s token-rate window, so LM 0.5 is in force after it.
    const warm = await saturate(logs ? 2_000 : 20_000);
    const rate = warm.summary.requestsPerSecond;
    const measured = await saturate(Math.max(logs ? 1_000 : 10_000, Math.round(rate * options.seconds)));
    requestsPerSecond = measured.summary.requestsPerSecond;
  } finally {
    // V8 writes the profile when the process exits; the agent exits after its drain.
    await agent.stop();
  }
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`no CPU profile at ${path}: the agent did not exit cleanly`);
  const summary = summariseCpuProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  return { summary, path, requestsPerSecond };
}

export async function runAgentProfile(options: AgentProfileOptions): Promise<StageReport> {
  const started = Date.now();
  if (h2loadVersion() === undefined) {
    options.log(`profile skipped: ${H2LOAD_INSTALL_HINT}`);
    return {
      stage: SECTION,
      figures: [],
      targets: [],
      skipped: [H2LOAD_INSTALL_HINT],
      details: {},
      durationMs: 0,
    };
  }
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  for (const state of options.states) {
    const { summary, path, requestsPerSecond } = await profileState(state, options);
    details[state] = { path, requestsPerSecond, ...summary };
    options.log(
      `profile ${state}: ${path} (${summary.samples} samples, ${(summary.busyShare * 100).toFixed(0)}% busy, ${Math.round(requestsPerSecond)}/s)`,
    );
    options.log(
      `  by origin: ${summary.byOrigin
        .slice(0, 8)
        .map((o) => `${o.origin} ${(o.share * 100).toFixed(1)}%`)
        .join(', ')}`,
    );
    options.log('  top self time:');
    for (const entry of summary.topSelf.slice(0, 12))
      options.log(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.function}`);
    options.log('  top inclusive time (agent and spec code):');
    for (const entry of summary.topInclusive.slice(0, 12))
      options.log(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.function}`);
    for (const origin of summary.byOrigin.slice(0, 6))
      figures.push({
        section: SECTION,
        name: `${state}: self time in ${origin.origin}`,
        value: origin.share * 100,
        unit: '%',
        note: 'of busy samples',
      });
  }
  return { stage: SECTION, figures, targets: [], skipped: [], details, durationMs: Date.now() - started };
}
