export { ManualClock, flushMicrotasks, type ManualClockOptions } from './manual-clock/manual-clock.js';
