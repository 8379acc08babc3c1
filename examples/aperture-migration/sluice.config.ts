/**
 * The Aperture migration example: an existing Aperture values file for load-scheduling/average-latency,
 * converted by `convertApertureValues` from `@sluice/spec` into a FlowPolicy, next to the agent,
 * controller and istioconfig. Aperture's own istioconfig conventions (control-point metadata, access-log
 * attribute keys) are what Sluice's istioconfig emits, so the mesh side needs no change. See README.md for
 * what maps and what is refused.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { IstioConfig, ApertureMigratedPolicy, SluiceCrds, SluicePlatform } from '@sluice/manifests';

const here = dirname(fileURLToPath(import.meta.url));

export default function build(app: App): void {
  new SluiceCrds(new Chart(app, 'sluice-crds'), 'crds');
  new SluicePlatform(new Chart(app, 'sluice'), 'sluice', { release: 'sluice', namespace: 'sluice-system' });
  new IstioConfig(new Chart(app, 'istioconfig'), 'istio', { release: 'sluice', namespace: 'istio-system' });
  new ApertureMigratedPolicy(new Chart(app, 'policies'), 'migrated', {
    blueprint: 'load-scheduling/average-latency',
    values: parse(readFileSync(join(here, 'aperture-values.yaml'), 'utf8')),
  });
}
