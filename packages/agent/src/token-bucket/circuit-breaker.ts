import type { Clock } from '@sluice/clock';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly clock: Clock;
  /** Consecutive failures that open the circuit. @default 3 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through. @default 2000 */
  readonly openMs?: number;
  /** Called on every transition (traced in logs and the circuit gauge). */
  readonly onTransition?: (from: CircuitState, to: CircuitState) => void;
}

/**
 * Stops calling a failing backend: closed → open after N consecutive failures; open → half-open
 * after openMs, letting one probe through; the probe's success closes, its failure reopens.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAtMs = 0;
  private probeInFlight = false;
  readonly history: CircuitState[] = ['closed'];

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    return this.current;
  }

  private transition(allowedFrom: readonly CircuitState[], to: CircuitState): void {
    if (!allowedFrom.includes(this.current))
      throw new Error(`circuit breaker: transition ${this.current} → ${to} is not allowed`);
    const from = this.current;
    this.current = to;
    this.history.push(to);
    switch (to) {
      case 'open':
        this.openedAtMs = this.options.clock.now();
        this.probeInFlight = false;
        break;
      case 'half-open':
        this.probeInFlight = false;
        break;
      case 'closed':
        this.failures = 0;
        break;
    }
    this.options.onTransition?.(from, to);
  }

  /** Whether a call may go to the backend now. In half-open only one probe at a time passes. */
  allowRequest(): boolean {
    if (
      this.current === 'open' &&
      this.options.clock.now() - this.openedAtMs >= (this.options.openMs ?? 2000)
    ) {
      this.transition(['open'], 'half-open');
    }
    if (this.current === 'closed') return true;
    if (this.current === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.failures = 0;
    if (this.current === 'half-open') this.transition(['half-open'], 'closed');
  }

  recordFailure(): void {
    if (this.current === 'half-open') {
      this.transition(['half-open'], 'open');
      return;
    }
    if (this.current === 'closed' && ++this.failures >= (this.options.failureThreshold ?? 3))
      this.transition(['closed'], 'open');
  }
}
