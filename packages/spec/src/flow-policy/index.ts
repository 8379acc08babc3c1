export * from './flow-names.js';
export * from './label-matcher.js';
export * from './selector.js';
export * from './classifier.js';
export * from './flux-meter.js';
export * from './rate-limiter.js';
export * from './load-scheduler.js';
export * from './flow-policy.js';
