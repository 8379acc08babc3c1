import { packageBin } from '@sluice/testkit';

/** Each component this kit starts and the package whose bin it is; each is a declared dependency. */
const PACKAGES = {
  agent: '@sluice/agent',
  controller: '@sluice/controller',
  demo: '@sluice/demo',
  proxy: '@sluice/proxy',
} as const;

export type ComponentName = keyof typeof PACKAGES;

/** The built executable of a component, resolved by package name, e.g. `bin('proxy')`. */
export function bin(name: ComponentName): string {
  return packageBin(PACKAGES[name], import.meta.url);
}
