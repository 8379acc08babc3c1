import { chartAppVersion, concat, defaultTo, type Expr } from '../../template/expr.js';
import type { TreeObject } from '../../template/template-tree.js';

/** Where both deployables' ConfigMap is mounted; each reads `--config` from here. */
export const CONFIG_DIRECTORY = '/etc/sluice';

/** The image values both deployables share (`agent.image`, `controller.image`). */
export interface ImageView {
  readonly repository: { readonly $: Expr<string> };
  readonly tag: { readonly $: Expr<string | undefined> };
  readonly pullPolicy: { readonly $: Expr<string> };
}

/** `image` and `imagePullPolicy` of a container: the tag defaults to the chart's appVersion. */
export function containerImage(image: ImageView): TreeObject {
  return {
    image: concat(image.repository.$, ':', defaultTo(image.tag.$, chartAppVersion)),
    imagePullPolicy: image.pullPolicy.$,
  };
}

/**
 * Pod template metadata that keeps the pod out of the mesh (sluice-system runs outside it: DESIGN, "Mesh
 * security stance"; newer Istio reads the label, older the annotation) and rolls the pod when its config
 * changes: both deployables read their file once at start, and `checksum` digests every input of it.
 */
export function outOfMeshPodMetadata(labels: TreeObject, checksum: Expr<string>): TreeObject {
  return {
    labels: { ...labels, 'sidecar.istio.io/inject': 'false' },
    annotations: { 'sidecar.istio.io/inject': 'false', 'checksum/config': checksum },
  };
}

/** The config file's mount and `/tmp`, the one writable place on a read-only root filesystem. */
export function configAndTmpMounts(): TreeObject[] {
  return [
    { name: 'config', mountPath: CONFIG_DIRECTORY, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
}

/** The volumes behind `configAndTmpMounts`: the component's ConfigMap (named `name`) and a small emptyDir. */
export function configAndTmpVolumes(name: Expr<string>): TreeObject[] {
  return [
    { name: 'config', configMap: { name, defaultMode: 0o444 } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
}

/** An environment variable from a field of the pod (`metadata.name`, `spec.nodeName`). */
export function podFieldVariable(name: string, fieldPath: string): TreeObject {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}
