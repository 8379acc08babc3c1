export * from './sluice-blueprints.js';
export * from './aperture-values.js';
export * from './aperture-converter.js';
