/** The chart values schemas live in `@sluice/spec` (`packages/spec/src/values/`); this module is the one place manifests imports them from. */
export * from '@sluice/spec';
