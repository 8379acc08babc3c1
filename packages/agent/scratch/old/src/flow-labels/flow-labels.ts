/**
 * The labels a flow carries, and which of them are exported as telemetry (echoed to access logs,
 * previews of telemetry labels and the controller). Non-telemetry labels (request headers) can be
 * matched on but never leave the agent.
 */
export interface FlowLabels {
  readonly values: Readonly<Record<string, string>>;
  readonly telemetry: ReadonlySet<string>;
}

/** A flow label with its telemetry flag, the unit the derivation steps produce. */
export interface FlowLabel {
  readonly key: string;
  readonly value: string;
  readonly telemetry: boolean;
}

/**
 * Merges label layers; a later layer overrides an earlier one, telemetry flag included. The agent
 * passes request, baggage, classifier in that order, so the precedence is classifier > baggage >
 * request.
 */
export function mergeFlowLabels(...layers: ReadonlyArray<readonly FlowLabel[]>): FlowLabels {
  const labels: FlowLabels = {
    values: Object.create(null) as Record<string, string>,
    telemetry: new Set<string>(),
  };
  for (const layer of layers) overlayFlowLabels(labels, layer);
  return labels;
}

/**
 * Merges one more layer over labels that mergeFlowLabels built, in place: the result is what
 * mergeFlowLabels would give with the layer appended, without copying the earlier layers again
 * (the Check path adds classifier labels after classifiers were selected on the others).
 */
export function overlayFlowLabels(labels: FlowLabels, layer: readonly FlowLabel[]): void {
  // FlowLabels is read-only to its consumers; the layers are written only here.
  const values = labels.values as Record<string, string>;
  const telemetry = labels.telemetry as Set<string>;
  for (const label of layer) {
    values[label.key] = label.value;
    if (label.telemetry) telemetry.add(label.key);
    else telemetry.delete(label.key);
  }
}

/**
 * Longest telemetry label value exported. The decision metadata goes back to Envoy in every
 * CheckResponse: uncut, a client's 2 MB path would push the answer past gRPC's default 4 MB message
 * limit and the Check would fail (open). Longer values are cut and end in `…`.
 */
export const MAX_TELEMETRY_VALUE_LENGTH = 1024;

/** Telemetry labels only, as a plain object (for decision metadata and reports), values capped. */
export function telemetryLabels(labels: FlowLabels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...labels.telemetry].sort()) {
    const value = labels.values[key];
    if (value === undefined) continue;
    out[key] =
      value.length > MAX_TELEMETRY_VALUE_LENGTH
        ? `${value.slice(0, MAX_TELEMETRY_VALUE_LENGTH - 1)}…`
        : value;
  }
  return out;
}
