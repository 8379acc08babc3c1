export { readZipEntry } from './zip-archive.js';
export { helmBinaries, kubectlBinary, layerBinary } from './kubernetes-binaries.js';
export type { HelmBinary, LayerName } from './kubernetes-binaries.js';
export { freePort } from './free-port.js';
export { redisUrl } from './redis-address.js';
export { resolvedModules } from './module-resolutions.js';
export type { ResolutionStep, ResolvedModules, ResolvedModulesOptions } from './module-resolutions.js';
