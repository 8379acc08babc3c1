/**
 * The guests/subscribers average-latency policy the live demo and the e2e tests run: guests (priority 50)
 * are shed before subscribers (priority 200), told apart by the `user-type` header. Every control-loop
 * timing is set explicitly and short (500 ms ticks; agents should report every 250 ms), so the whole loop
 * shows in seconds rather than the defaults' minutes.
 * Services are `any`: the proxy's flows carry the host `127.0.0.1`.
 */
export interface AverageLatencyTimings {
  /** @default '5s' */
  readonly warmUp?: string;
  /** @default '2s' */
  readonly signalWindow?: string;
  /** @default '60s' */
  readonly baselineWindow?: string;
  /** @default '30s' */
  readonly decisionTtl?: string;
  /** @default 0.025 */
  readonly linearIncrement?: number;
  /** @default 0.1 */
  readonly minGradient?: number;
  /**
   * 65% of the capacity while a backlog drains (subscribers, 60%, keep their share): the demo shows latency recovering within the overload,
   * at some cost in goodput (the policy default, 0.95, keeps goodput and drains slowly).
   * @default 0.65
   */
  readonly backlogDrainFloor?: number;
}

export function guestsAndSubscribersPolicy(
  name: string,
  timings: AverageLatencyTimings = {},
  controlPoint = 'ingress',
): unknown {
  const selectors = [{ controlPoint, service: 'any' }];
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name },
    spec: {
      classifiers: [{ selectors, rules: { 'user-type': { header: 'user-type' } } }],
      loadSchedulers: [
        {
          name: 'load-scheduler',
          selectors,
          // Answer 50 ms before the proxy's deadline rather than the default 25 ms: on a busy shared
          // machine the event loop lags by more than 25 ms now and then, and a queued flow answered
          // after the deadline fails open.
          decisionDeadlineMargin: '50ms',
          workloads: [
            { name: 'guests', priority: 50, labelMatcher: { matchLabels: { 'user-type': 'guest' } } },
            {
              name: 'subscribers',
              priority: 200,
              labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
            },
          ],
          averageLatency: {
            latencyToleranceMultiplier: 1.1,
            warmUp: timings.warmUp ?? '5s',
            signalWindow: timings.signalWindow ?? '2s',
            baselineWindow: timings.baselineWindow ?? '60s',
            evaluationInterval: '500ms',
            decisionTtl: timings.decisionTtl ?? '30s',
            backlogDrainFloor: timings.backlogDrainFloor ?? 0.65,
            aimd: {
              linearIncrement: timings.linearIncrement ?? 0.025,
              minGradient: timings.minGradient ?? 0.1,
            },
          },
        },
      ],
    },
  };
}
