/**
 * Classifier-produced values travel in baggage and metric labels, so the characters that would
 * break those encodings (whitespace and `\ / ; " ,`) are replaced by `-`, as Aperture does.
 */
export function sanitiseLabelValue(value: string): string {
  return value.replace(/[\s\\/;",]/g, '-');
}
