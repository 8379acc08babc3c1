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
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const telemetry = new Set<string>();
  for (const layer of layers) {
    for (const label of layer) {
      values[label.key] = label.value;
      if (label.telemetry) telemetry.add(label.key);
      else telemetry.delete(label.key);
    }
  }
  return { values, telemetry };
}

/** Telemetry labels only, as a plain object (for decision metadata and reports). */
export function telemetryLabels(labels: FlowLabels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...labels.telemetry].sort()) {
    const value = labels.values[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
