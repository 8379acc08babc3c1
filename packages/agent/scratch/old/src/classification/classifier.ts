import type { CompiledClassifier } from '@sluice/spec';
import type { FlowLabel } from '../flow-labels/flow-labels.js';
import { sanitiseLabelValue } from '../flow-labels/label-value-sanitiser.js';
import type { HttpRequestAttributes } from '../flow-labels/request-labels.js';
import { resolveJsonPointer } from './json-pointer.js';
import { matchPathTemplate } from './path-template.js';

/** A label a classifier produced, with whether it goes into the upstream baggage header. */
export interface ClassifiedLabel extends FlowLabel {
  readonly propagate: boolean;
}

/** Why a rule produced nothing; counted so a silent misconfiguration shows up in metrics. */
export type ClassifierMiss = 'header-absent' | 'body-not-json' | 'pointer-absent' | 'path-mismatch';

export interface ClassificationResult {
  readonly labels: ClassifiedLabel[];
  readonly misses: Array<{ readonly label: string; readonly reason: ClassifierMiss }>;
}

/** Parses a JSON body once per request, only when some rule needs it. */
export class LazyJsonBody {
  private parsed: { value: unknown } | null | undefined;

  constructor(private readonly http: HttpRequestAttributes) {}

  get(): { value: unknown } | null {
    if (this.parsed !== undefined) return this.parsed;
    const contentType = this.http.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().includes('json') || this.http.body === '') return (this.parsed = null);
    try {
      this.parsed = { value: JSON.parse(this.http.body) as unknown };
    } catch {
      // Envoy truncates bodies at max_request_bytes, so a cut-off document is expected, not an error.
      this.parsed = null;
    }
    return this.parsed;
  }
}

type Rule = CompiledClassifier['rules'][string];

/** A rule with its label and, for a header rule, the header name as parsed requests hold it. */
interface PreparedRule {
  readonly label: string;
  readonly rule: Rule;
  readonly header: string | undefined;
}

/** Rules per classifier object, listed once: every Check would otherwise list and lower-case them again. */
const prepared = new WeakMap<CompiledClassifier, readonly PreparedRule[]>();

function rulesOf(classifier: CompiledClassifier): readonly PreparedRule[] {
  let rules = prepared.get(classifier);
  if (rules === undefined) {
    rules = Object.entries(classifier.rules).map(([label, rule]) => ({
      label,
      rule,
      header: rule.header?.toLowerCase(),
    }));
    prepared.set(classifier, rules);
  }
  return rules;
}

/** Runs one compiled classifier's rules over a request. Values are sanitised (see sanitiseLabelValue). */
export function classify(
  classifier: CompiledClassifier,
  http: HttpRequestAttributes,
  body: LazyJsonBody,
): ClassificationResult {
  const labels: ClassifiedLabel[] = [];
  const misses: ClassificationResult['misses'] = [];
  for (const { label, rule, header } of rulesOf(classifier)) {
    let value: string | undefined;
    if (header !== undefined) {
      value = http.headers[header];
      if (value === undefined) misses.push({ label, reason: 'header-absent' });
    } else if (rule.jsonPointer !== undefined) {
      const document = body.get();
      if (document === null) misses.push({ label, reason: 'body-not-json' });
      else {
        value = resolveJsonPointer(document.value, rule.jsonPointer);
        if (value === undefined) misses.push({ label, reason: 'pointer-absent' });
      }
    } else if (rule.pathTemplate !== undefined) {
      value = matchPathTemplate(rule.pathTemplate, http.path)?.[rule.segment ?? label];
      if (value === undefined) misses.push({ label, reason: 'path-mismatch' });
    }
    if (value !== undefined)
      labels.push({
        key: label,
        value: sanitiseLabelValue(value),
        telemetry: rule.telemetry,
        propagate: rule.propagate,
      });
  }
  return { labels, misses };
}
