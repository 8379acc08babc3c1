import { systemClock, type Clock } from '@sluice/clock';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured log lines; one JSON object per line so log pipelines can parse them. */
export interface AgentLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Writes JSON lines at or above `level` to `write` (stderr by default, stdout stays free). */
export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  clock: Clock = systemClock,
): AgentLogger {
  return {
    log(lineLevel, message, fields = {}) {
      if (RANK[lineLevel] < RANK[level]) return;
      write(
        `${JSON.stringify({ time: new Date(clock.wallNow()).toISOString(), level: lineLevel, message, ...fields })}\n`,
      );
    },
  };
}

export const silentLogger: AgentLogger = { log: () => undefined };
