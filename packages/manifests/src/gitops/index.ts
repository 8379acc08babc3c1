export {
  SluiceConfigSchema,
  defineSluiceConfig,
  type SluiceConfig,
  type SluiceConfigInput,
} from './sluice-config.js';
export type { GitOpsComponent, KubernetesObject } from './gitops-component.js';
export { COMPONENT_WAVES, componentsOfApp, synthesizeConfig } from './component-synthesis.js';
export {
  ARGOCD_NAMESPACE,
  FLUX_NAMESPACE,
  FLUX_SOURCE_NAME,
  syncObjectName,
  type GitOpsOptions,
} from './gitops-options.js';
export { argoCdApplication } from './argocd-applications.js';
export { fluxGitRepository, fluxHelmRelease, fluxKustomization } from './flux-resources.js';
export { gitOpsFiles, writeGitOpsFiles, type GitOpsFiles } from './gitops-writer.js';
export { GitOpsInputError } from './output-paths.js';
