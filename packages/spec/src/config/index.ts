export * from './agent-config.js';
export * from './controller-config.js';
export * from './config-loader.js';
