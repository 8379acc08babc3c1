export type { Clock, TimerHandle } from './clock/clock.js';
export {
  createSystemClock,
  systemClock,
  systemClockUnref,
  type SystemClockOptions,
} from './clock/system-clock.js';
export { seededRandom, systemRandom, type RandomSource } from './random/random-source.js';
