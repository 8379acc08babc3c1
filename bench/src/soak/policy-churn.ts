/**
 * Policy churn for the soak: every `intervalMs` the AgentSync stub pushes the next policy version and
 * its decision, and a Check proves the agent runs it (its decision record carries the new hash and
 * the new version's flow labels). A push that the agent received but did not rebuild, or rebuilt
 * without dropping the old version, is exactly what the soak must not count as churn.
 */
import type { AgentSyncStub } from '../decision-path/agent-sync-stub.js';
import { CHECK_PATH, decodeGrpcMessage } from '../decision-path/check-request-bytes.js';
import { decisionRecordJson } from '../decision-path/decision-record-view.js';
import { grpcPreflight } from '../decision-path/grpc-preflight.js';
import { median } from '../report/stats.js';
import { variantState, type ChurnVariant } from './churn-variants.js';

export interface PolicyChurnOptions {
  readonly stub: AgentSyncStub;
  /** Pushed in order, cycling; the first is assumed to be running already. */
  readonly variants: readonly ChurnVariant[];
  readonly intervalMs: number;
  /** The agent's gRPC origin, `http://127.0.0.1:PORT`, for the verification Check. */
  readonly origin: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Time zero (performance.now()) of the push schedule: pushes fall at zero + k × intervalMs. */
  readonly startedAt: number;
  readonly log: (line: string) => void;
}

export interface ChurnTally {
  readonly pushes: number;
  /** Pushes a Check proved the agent runs within VERIFY_TIMEOUT_MS. */
  readonly verified: number;
  /** Pushes per variant name. */
  readonly perVariant: Readonly<Record<string, number>>;
  /** Push → first Check decided by the new version, ms (median and max over verified pushes). */
  readonly applyMedianMs: number;
  readonly applyMaxMs: number;
  /** The first few verification failures, for the report. */
  readonly failures: readonly string[];
}

/** Well past a rebuild on a busy agent (tens of ms), short of the next push. */
const VERIFY_TIMEOUT_MS = 3_000;
const VERIFY_POLL_MS = 50;
const MAX_FAILURES_KEPT = 5;

interface RecordView {
  readonly components: readonly { readonly policyHash: string }[];
  readonly labels: Readonly<Record<string, string>>;
}

/** Why the record is not one `variant` decided, or undefined when it is. */
function mismatch(record: RecordView, variant: ChurnVariant): string | undefined {
  const hashes = [...new Set(record.components.map((component) => component.policyHash))];
  if (hashes.length !== 1 || hashes[0] !== variant.policy.policyHash)
    return `decided by hash ${hashes.join(', ') || '(no components)'}, pushed ${variant.policy.policyHash}`;
  const missing = variant.labelKeys.filter((key) => !(key in record.labels));
  if (missing.length > 0) return `flow labels lack ${missing.join(', ')}`;
  return undefined;
}

export class PolicyChurn {
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> = Promise.resolve();
  #pushes = 0;
  #verified = 0;
  readonly #perVariant: Record<string, number> = {};
  readonly #applyMs: number[] = [];
  readonly #failures: string[] = [];

  constructor(private readonly options: PolicyChurnOptions) {}

  start(): void {
    this.#loop = this.run();
  }

  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, at - performance.now()));
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { options } = this;
    for (let push = 1; ; push++) {
      await this.sleepUntil(options.startedAt + push * options.intervalMs);
      if (this.#stopped) return;
      const variant = options.variants[push % options.variants.length];
      if (variant === undefined) return;
      const pushedAt = performance.now();
      options.stub.update(variantState(variant));
      this.#pushes++;
      this.#perVariant[variant.name] = (this.#perVariant[variant.name] ?? 0) + 1;
      const problem = await this.verify(variant, pushedAt);
      if (problem === undefined) {
        this.#verified++;
      } else {
        if (this.#failures.length < MAX_FAILURES_KEPT)
          this.#failures.push(`push ${push} (${variant.name}): ${problem}`);
        options.log(`  push ${push} (variant ${variant.name}) not verified: ${problem}`);
      }
    }
  }

  /** Polls with a Check until its decision record is `variant`'s; the last mismatch when it never is. */
  private async verify(variant: ChurnVariant, pushedAt: number): Promise<string | undefined> {
    const { options } = this;
    let last = 'no answer';
    while (performance.now() - pushedAt < VERIFY_TIMEOUT_MS) {
      try {
        const answer = await grpcPreflight({
          origin: options.origin,
          path: CHECK_PATH,
          body: options.body,
          headers: options.headers,
        });
        if (answer.grpcStatus !== 0) {
          last = `grpc-status ${answer.grpcStatus} ${answer.grpcMessage}`;
        } else {
          const response = decodeGrpcMessage('envoy.service.auth.v3.CheckResponse', answer.body) as {
            dynamic_metadata?: { fields?: Record<string, { stringValue?: string }> };
          };
          const encoded = response.dynamic_metadata?.fields?.['aperture.check_response']?.stringValue ?? '';
          const record = decisionRecordJson(encoded) as RecordView;
          const problem = mismatch(record, variant);
          if (problem === undefined) {
            this.#applyMs.push(performance.now() - pushedAt);
            return undefined;
          }
          last = problem;
        }
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, VERIFY_POLL_MS));
    }
    return last;
  }

  /** Stops after the push in progress (its verification included) and returns the tally. */
  async stop(): Promise<ChurnTally> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    return {
      pushes: this.#pushes,
      verified: this.#verified,
      perVariant: { ...this.#perVariant },
      applyMedianMs: median(this.#applyMs),
      applyMaxMs: this.#applyMs.length === 0 ? Number.NaN : Math.max(...this.#applyMs),
      failures: [...this.#failures],
    };
  }
}
