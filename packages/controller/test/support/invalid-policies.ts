/**
 * Invalid versions of the example policy, each with the exact first line of the message the
 * controller must report for it. `edits` change the decoded document (any source can carry them);
 * `texts` are whole files, for the file source only (syntax, document count, aliases, nesting).
 */

export interface InvalidEdit {
  readonly name: string;
  readonly mutate: (document: Record<string, any>) => void;
  /** Issue path, as `path` in the API's `issues`. */
  readonly path: string;
  readonly message: string;
}

export interface InvalidText {
  readonly name: string;
  readonly text: string | Buffer;
  readonly path: string;
  readonly message: string;
}

/** Edits that keep metadata.name, so they apply to a custom resource as well as to a file. */
export const INVALID_EDITS: readonly InvalidEdit[] = [
  {
    name: 'a wrong type',
    mutate: (d) => (d.spec.loadSchedulers[0].workloads[0].priority = 'high'),
    path: 'spec.loadSchedulers[0].workloads[0].priority',
    message: 'spec.loadSchedulers[0].workloads[0].priority: "high" is not allowed; expected number',
  },
  {
    name: 'an out-of-range number',
    mutate: (d) => (d.spec.loadSchedulers[0].workloads[1].priority = 0),
    path: 'spec.loadSchedulers[0].workloads[1].priority',
    message: 'spec.loadSchedulers[0].workloads[1].priority: 0 is not allowed; must be > 0',
  },
  {
    name: 'a bad enum',
    mutate: (d) =>
      (d.spec.loadSchedulers[0].workloads[0].labelMatcher = {
        matchExpressions: [{ key: 'user-type', operator: 'Maybe', values: ['guest'] }],
      }),
    path: 'spec.loadSchedulers[0].workloads[0].labelMatcher.matchExpressions[0].operator',
    message:
      'spec.loadSchedulers[0].workloads[0].labelMatcher.matchExpressions[0].operator: "Maybe" is not allowed; allowed: "In", "NotIn", "Exists", "DoesNotExist"',
  },
  {
    name: 'a bad duration',
    mutate: (d) => (d.spec.loadSchedulers[0].averageLatency.signalWindow = '5 parsecs'),
    path: 'spec.loadSchedulers[0].averageLatency.signalWindow',
    message:
      'spec.loadSchedulers[0].averageLatency.signalWindow: "5 parsecs" is not allowed; must be a duration such as 250ms, 1.5s, 30m or 1h',
  },
  {
    name: 'an unknown key deep down',
    mutate: (d) => (d.spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplierr = 1.2),
    path: 'spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplierr',
    message:
      'spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplierr: 1.2 is not allowed; unknown field (did you mean "latencyToleranceMultiplier"?)',
  },
  {
    name: 'a label name that is not a flow-label name',
    mutate: (d) => (d.spec.classifiers[0].rules['User Type!'] = { header: 'user-type' }),
    path: 'spec.classifiers[0].rules["User Type!"]',
    message:
      'spec.classifiers[0].rules["User Type!"]: {"header":"user-type"} is not allowed; key must be a flow-label name: letters, digits, "_", ".", "-" or "/", at most 128 characters',
  },
  {
    name: 'an empty selector list',
    mutate: (d) => (d.spec.loadSchedulers[0].selectors = []),
    path: 'spec.loadSchedulers[0].selectors',
    message: 'spec.loadSchedulers[0].selectors: [] is not allowed; must have at least 1 item(s)',
  },
  {
    name: 'a spec that is not an object',
    mutate: (d) => (d.spec = ['service1']),
    path: 'spec',
    message: 'spec: ["service1"] is not allowed; expected object',
  },
];

/** Edits to the name itself: a file can carry them, a custom resource cannot (its name is its identity). */
export const INVALID_NAME_EDITS: readonly InvalidEdit[] = [
  {
    name: 'no metadata.name',
    mutate: (d) => delete d.metadata.name,
    path: 'metadata.name',
    message: 'metadata.name: <missing> is not allowed; expected string',
  },
  {
    name: 'an upper-case name',
    mutate: (d) => (d.metadata.name = 'Basic-Service-Protection'),
    path: 'metadata.name',
    message:
      'metadata.name: "Basic-Service-Protection" is not allowed; must be a DNS-1123 subdomain: lower-case letters, digits, - and .',
  },
  {
    name: 'a 300-character name',
    mutate: (d) => (d.metadata.name = 'a'.repeat(300)),
    path: 'metadata.name',
    message: `metadata.name: "${'a'.repeat(76)}... is not allowed; must have at most 253 character(s)`,
  },
];

/** Billion laughs: ten levels of nine aliases each, 10^9 strings if expanded. */
function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level++) {
    const anchor = String.fromCharCode(97 + level);
    const previous = `*${String.fromCharCode(96 + level)}`;
    lines.push(`${anchor}: &${anchor} [${Array<string>(9).fill(previous).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

export const INVALID_TEXTS: readonly InvalidText[] = [
  {
    name: 'a YAML syntax error',
    text: 'apiVersion: sluice.dev/v1alpha1\nkind: [FlowPolicy\n',
    path: '(line 3, column 1)',
    message:
      '(line 3, column 1): "" is not allowed; valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:',
  },
  {
    name: 'an empty file',
    text: '# nothing here\n',
    path: '(file)',
    message: '(file): 0 documents is not allowed; exactly one FlowPolicy document per file',
  },
  {
    name: 'a JSON syntax error',
    text: '{"apiVersion": "sluice.dev/v1alpha1", "kind": ',
    path: '(line 1, column 47)',
    message:
      '(line 1, column 47): "" is not allowed; valid YAML: Flow map must end with a } at line 1, column 47:',
  },
  {
    name: 'bytes that are not UTF-8',
    text: Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]),
    path: '',
    // Read as UTF-8, each bad byte becomes U+FFFD.
    message: '(root): "\uFFFD\uFFFD\\u0000\uFFFD(\uFFFD" is not allowed; expected object',
  },
  {
    name: 'a billion laughs',
    text: billionLaughs(),
    path: '(file)',
    message:
      '(file): its aliases is not allowed; aliases that resolve, at most 100 expansions (Excessive alias count indicates a resource exhaustion attack)',
  },
  {
    name: 'an alias before its anchor',
    text: 'apiVersion: *version\n',
    path: '(file)',
    message:
      '(file): its aliases is not allowed; aliases that resolve, at most 100 expansions (Unresolved alias (the anchor must be set before the alias): version)',
  },
  {
    name: 'a recursive alias',
    text: 'apiVersion: sluice.dev/v1alpha1\nkind: FlowPolicy\nspec: &spec\n  loop: *spec\n',
    path: '(file)',
    message:
      '(file): a recursive alias is not allowed; a document that is a tree (no alias inside its own anchor)',
  },
  {
    name: '5,000 nested block sequences',
    text: `spec:\n  ${'- '.repeat(5000)}x\n`,
    // spec is level 1; the 64th sequence, at column 129, is level 65.
    path: '(line 2, column 129)',
    message:
      '(line 2, column 129): more than 64 levels of nesting is not allowed; at most 64 levels (a FlowPolicy needs about 10)',
  },
  {
    name: '100,000 nested flow sequences',
    text: '['.repeat(100_000),
    path: '(line 1, column 65)',
    message:
      '(line 1, column 65): more than 64 levels of nesting is not allowed; at most 64 levels (a FlowPolicy needs about 10)',
  },
];
