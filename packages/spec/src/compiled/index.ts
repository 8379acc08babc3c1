export * from './compiled-component.js';
