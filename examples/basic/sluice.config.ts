/**
 * The basic example: Sluice's agent and controller, the FlowPolicy CRD, the istioconfig that wires every
 * sidecar to the agent, and the seed's basic-service-protection policy for the demo app: when service1's
 * latency rises above 1.1 × its baseline, guests (priority 50) are shed before subscribers (priority 200),
 * told apart by the `user-type` header.
 *
 * `npm run synth` writes the manifests to `dist/basic/`; `policies/basic-service-protection.yaml` is the
 * same policy for `kubectl apply` or the controller's policy directory.
 */
import { type App, Chart } from 'cdk8s';
import {
  IstioConfig,
  AverageLatencyPolicy,
  headerClassifier,
  SluiceCrds,
  SluicePlatform,
} from '@sluice/manifests';

export const DEMO_SERVICE = 'service1-demo-app.demoapp.svc.cluster.local';

export default function build(app: App): void {
  new SluiceCrds(new Chart(app, 'sluice-crds'), 'crds');
  new SluicePlatform(new Chart(app, 'sluice'), 'sluice', { release: 'sluice', namespace: 'sluice-system' });
  // Installed in the istiod namespace, so it applies mesh-wide; it dials sluice-agent.sluice-system.svc.cluster.local:8080.
  new IstioConfig(new Chart(app, 'istioconfig'), 'istio', {
    release: 'sluice',
    namespace: 'istio-system',
    agent: { release: 'sluice', namespace: 'sluice-system' },
  });
  new AverageLatencyPolicy(new Chart(app, 'policies'), 'basic-service-protection', {
    name: 'basic-service-protection',
    service: DEMO_SERVICE,
    controlPoint: 'ingress',
    classifiers: [headerClassifier({ service: DEMO_SERVICE, labels: { 'user-type': 'user-type' } })],
    workloads: [
      { name: 'guests', priority: 50, matchLabels: { 'user-type': 'guest' } },
      { name: 'subscribers', priority: 200, matchLabels: { 'user-type': 'subscriber' } },
    ],
    latencyToleranceMultiplier: 1.1,
  });
}
