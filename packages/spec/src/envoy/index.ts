export * from './envoy-config-check.js';
