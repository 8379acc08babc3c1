import {
  FLOW_POLICY_CRD,
  FlowPolicySchema,
  toJsonSchema,
  toStructuralSchema,
  SLUICE_CHART_FACTS,
  type SluiceCrdsChartValues,
  SluiceCrdsChartValuesSchema,
  type SluiceCrdsChartValuesInput,
} from '@sluice/spec';
import { Construct } from 'constructs';
import { type ReleaseProps, typedValuesBinding, type ValuesBinding } from '../component-binding.js';
import { chartAppVersion, type Expr, releaseName } from '../../template/expr.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { type TreeObject, when } from '../../template/template-tree.js';
import { valuesView, type View } from '../../template/values-view.js';

const SOURCE = 'packages/manifests/src/constructs/crds/sluice-crds.ts';

/** The `sluice-crds` chart as templates see it. */
export const SLUICE_CRDS_CHART = { name: 'sluice-crds', ...SLUICE_CHART_FACTS } as const;

/** Props of typed `SluiceCrds`: the `sluice-crds` chart's values plus the release labels use. */
export interface SluiceCrdsProps
  extends Readonly<SluiceCrdsChartValuesInput>, Pick<ReleaseProps, 'release'> {}

/**
 * The FlowPolicy CRD's `openAPIV3Schema`: the spec's zod schema exported as JSON Schema and converted to
 * the structural form the API server requires, so the CRD validates exactly what the controller parses.
 */
export function flowPolicyOpenApiSchema(): TreeObject {
  return toStructuralSchema(toJsonSchema(FlowPolicySchema)) as TreeObject;
}

/** The FlowPolicy CRD itself; `keepOnUninstall` decides whether Helm keeps it on uninstall. */
function flowPolicyCrd(view: View<SluiceCrdsChartValues>): TreeObject {
  const labels: Record<string, Expr<string> | string> = {
    'app.kubernetes.io/name': 'sluice-crds',
    'app.kubernetes.io/instance': releaseName,
    'app.kubernetes.io/part-of': 'sluice',
    'app.kubernetes.io/version': chartAppVersion,
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${FLOW_POLICY_CRD.plural}.${FLOW_POLICY_CRD.group}`,
      labels,
      // Deleting a CRD deletes every resource of its kind; Helm skips objects annotated keep on uninstall.
      annotations: when(view.keepOnUninstall.$, { 'helm.sh/resource-policy': 'keep' }),
    },
    spec: {
      group: FLOW_POLICY_CRD.group,
      scope: 'Namespaced',
      names: {
        kind: FLOW_POLICY_CRD.kind,
        listKind: FLOW_POLICY_CRD.listKind,
        plural: FLOW_POLICY_CRD.plural,
        singular: FLOW_POLICY_CRD.singular,
        shortNames: [...FLOW_POLICY_CRD.shortNames],
        categories: [...FLOW_POLICY_CRD.categories],
      },
      versions: [
        {
          name: FLOW_POLICY_CRD.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: flowPolicyOpenApiSchema() },
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

/**
 * The FlowPolicy custom resource definition (`flowpolicies.sluice.dev`): status subresource, short name
 * `fp`, category `sluice`, and Ready and Age printer columns.
 */
export class SluiceCrds extends Construct {
  readonly objects: readonly SluiceObject[];

  /** The CRDs over `.Values`, for the chart generator. */
  static forChart(scope: Construct, id: string): SluiceCrds {
    return new SluiceCrds(scope, id, { view: valuesView<SluiceCrdsChartValues>() });
  }

  constructor(
    scope: Construct,
    id: string,
    props: SluiceCrdsProps | ValuesBinding<SluiceCrdsChartValues> = {},
  ) {
    super(scope, id);
    const { view, context } =
      'view' in props
        ? props
        : typedValuesBinding(props, {
            schema: SluiceCrdsChartValuesSchema,
            chart: SLUICE_CRDS_CHART,
            owner: 'SluiceCrds',
          });
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      context,
      objects: [{ id: 'FlowPolicy', file: 'flowpolicies-crd.yaml', tree: flowPolicyCrd(view) }],
    });
  }
}
