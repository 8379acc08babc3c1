export * from './duration.js';
export * from './spec-issues.js';
export * from './flow-policy/index.js';
export * from './compiled/index.js';
export * from './config/index.js';
export * from './blueprints/index.js';
export * from './proto/index.js';
export * from './envoy/index.js';
