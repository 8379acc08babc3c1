/**
 * Where a V8 `.cpuprofile` (node --cpu-prof) spent its time: self time per function, inclusive time
 * per function, and self time per origin (agent code, grpc-js, protobufjs, Node internals, GC). Pure.
 */

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

export interface FunctionShare {
  /** `name (file:line)`, the file shortened to its package-relative path. */
  readonly function: string;
  readonly origin: string;
  /** Share of the busy (non-idle) samples, 0…1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly durationMs: number;
  readonly samples: number;
  /** Share of samples not idle. */
  readonly busyShare: number;
  readonly topSelf: readonly FunctionShare[];
  /** Inclusive (self + callees) time of agent and spec functions: which parts of the Check path cost what. */
  readonly topInclusive: readonly FunctionShare[];
  readonly byOrigin: readonly { readonly origin: string; readonly share: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package a script belongs to, from its URL; special V8 nodes keep their name. */
export function originOf(url: string, functionName: string): string {
  if (SPECIAL.has(functionName) && url === '') return functionName;
  if (url.startsWith('node:') || url === '') return 'node internals';
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace && !url.includes('/node_modules/')) return `@sluice/${workspace[1]}`;
  const dependency = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1] ?? 'other';
  return 'other';
}

function shortFile(url: string): string {
  const afterModules = url.lastIndexOf('/node_modules/');
  if (afterModules >= 0) return url.slice(afterModules + '/node_modules/'.length);
  const packages = url.indexOf('/packages/');
  if (packages >= 0) return url.slice(packages + 1);
  return url.replace(/^file:\/\//, '');
}

function functionKey(node: CpuProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (SPECIAL.has(functionName) && url === '') return functionName;
  return `${functionName || '(anonymous)'} (${shortFile(url) || 'native'}:${lineNumber + 1})`;
}

export function summariseCpuProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const idle = profile.nodes
    .filter((node) => node.callFrame.functionName === '(idle)')
    .map((node) => node.id);
  const busySamples = profile.samples.filter((id) => !idle.includes(id));
  const busy = Math.max(1, busySamples.length);

  const self = new Map<string, { origin: string; count: number }>();
  const inclusive = new Map<string, { origin: string; count: number }>();
  const origins = new Map<string, number>();
  for (const id of busySamples) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const key = functionKey(node);
    const origin = originOf(node.callFrame.url, node.callFrame.functionName);
    const entry = self.get(key) ?? { origin, count: 0 };
    entry.count += 1;
    self.set(key, entry);
    origins.set(origin, (origins.get(origin) ?? 0) + 1);
    // Each function once per sample, however often it recurses.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current);
      if (frame === undefined) break;
      const frameKey = functionKey(frame);
      if (seen.has(frameKey)) continue;
      seen.add(frameKey);
      const frameOrigin = originOf(frame.callFrame.url, frame.callFrame.functionName);
      if (frameOrigin !== '@sluice/agent' && frameOrigin !== '@sluice/spec') continue;
      const total = inclusive.get(frameKey) ?? { origin: frameOrigin, count: 0 };
      total.count += 1;
      inclusive.set(frameKey, total);
    }
  }
  const ranked = (map: Map<string, { origin: string; count: number }>) =>
    [...map.entries()]
      .map(([name, { origin, count }]) => ({ function: name, origin, share: count / busy }))
      .sort((a, b) => b.share - a.share)
      .slice(0, top);
  return {
    durationMs: (profile.endTime - profile.startTime) / 1000,
    samples: profile.samples.length,
    busyShare: busySamples.length / Math.max(1, profile.samples.length),
    topSelf: ranked(self),
    topInclusive: ranked(inclusive),
    byOrigin: [...origins.entries()]
      .map(([origin, count]) => ({ origin, share: count / busy }))
      .sort((a, b) => b.share - a.share),
  };
}
