export * from './flow-policy-resource.js';
export * from './classifiers.js';
export * from './average-latency-policy.js';
export * from './rate-limit-policy.js';
export * from './aperture-migrated-policy.js';
