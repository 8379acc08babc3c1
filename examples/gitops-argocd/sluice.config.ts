/**
 * Argo CD example: the whole installation as one typed config. `sluicectl synth` turns it into one folder per
 * component plus a parent Application (app of apps) in `deploy/argocd/` whose children, in
 * `deploy/argocd/apps/`, sync in waves: the namespaces, the CRDs, the agent and controller, then the
 * istioconfig and the policy.
 *
 *   npx sluicectl synth --config examples/gitops-argocd/sluice.config.ts --output-dir examples/gitops-argocd/deploy \
 *     --argocd https://github.com/acme/platform.git
 */
import { defineSluiceConfig } from '@sluice/manifests';

export default defineSluiceConfig({
  release: 'sluice',
  namespace: 'sluice-system',
  // No controller.apiToken.existingSecret: the controller creates its API token Secret
  // (sluice-controller-api-token, key token) at first start, so no step outside Git has to make one.
  istioConfig: {
    namespace: 'istio-system',
    values: { agent: { release: 'sluice', namespace: 'sluice-system' } },
  },
  policies: [
    {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'FlowPolicy',
      metadata: { name: 'basic-service-protection' },
      spec: {
        classifiers: [
          {
            selectors: [{ controlPoint: 'ingress', service: 'service1-demo-app.demoapp.svc.cluster.local' }],
            rules: { 'user-type': { header: 'user-type' } },
          },
        ],
        loadSchedulers: [
          {
            name: 'service-protection',
            selectors: [{ controlPoint: 'ingress', service: 'service1-demo-app.demoapp.svc.cluster.local' }],
            workloads: [
              { name: 'guests', labelMatcher: { matchLabels: { 'user-type': 'guest' } }, priority: 50 },
              {
                name: 'subscribers',
                labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
                priority: 200,
              },
            ],
          },
        ],
      },
    },
  ],
});
