import { parse } from 'yaml';

/**
 * Finds things that look like credentials in configuration data: keys named like a credential holding a
 * non-empty literal, and strings shaped like one wherever they sit (a URL with a password, a bearer token,
 * a private key). A key that only names a credential is fine: the name of a Secret (`existingSecret`), a key
 * inside one (`passwordKey`), header names (`credentialHeaders`), an algorithm (`privateKeyAlgorithm`).
 */

export interface SecretFinding {
  readonly path: string;
  readonly reason: string;
}

/** Key names that hold a credential. */
const CREDENTIAL_KEY =
  /pass(word|wd)|^pass$|^pwd$|secret|token|api[-_]?key|credential|private[-_]?key|access[-_]?key|bearer/i;
/**
 * Suffixes that turn a credential word into the name of one: `passwordKey`, `credentialHeaders`,
 * `privateKeyAlgorithm`, and `controllerTokenFile` (the path of a mounted token).
 */
const REFERENCE_SUFFIX = /(Key|Keys|Headers|Algorithm|File)$/;
/** Keys that hold the name of a Secret object (the controller's config names the Secrets it creates at run time). */
const SECRET_NAME_KEY = /^(existingSecret|secretName|apiTokenSecret|recordKeySecret)$|SecretName$|SecretRef$/;

const CREDENTIAL_TEXT: readonly (readonly [RegExp, string])[] = [
  [/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i, 'a URL with a password'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*/, 'a bearer token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key ID'],
  [/\b(password|passwd|pwd)=[^\s&;]+/i, 'a password in a connection string'],
];

/** Credential-shaped text in one string. */
export function secretTextFindings(text: string, path: string): SecretFinding[] {
  return CREDENTIAL_TEXT.filter(([pattern]) => pattern.test(text)).map(([, reason]) => ({ path, reason }));
}

/** Whether a credential-like key only names a credential: `apiKey` holds one, `passwordKey` names one. */
function isReferenceKey(key: string): boolean {
  if (SECRET_NAME_KEY.test(key)) return true;
  const stem = key.replace(REFERENCE_SUFFIX, '');
  return stem !== key && CREDENTIAL_KEY.test(stem);
}

function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key) && !isReferenceKey(key);
}

/** Walks parsed data: credential keys with a non-empty literal, and credential-shaped strings anywhere. */
export function secretValueFindings(value: unknown, path: string, heldBy?: string): SecretFinding[] {
  if (typeof value === 'string') {
    const byKey =
      heldBy !== undefined && value.length > 0 ? [{ path, reason: `${heldBy} holds a literal value` }] : [];
    return [...byKey, ...secretTextFindings(value, path)];
  }
  if (typeof value === 'number' && heldBy !== undefined)
    return [{ path, reason: `${heldBy} holds a literal value` }];
  if (Array.isArray(value))
    return value.flatMap((item, index) => secretValueFindings(item, `${path}[${index}]`, heldBy));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) =>
      secretValueFindings(child, path ? `${path}.${key}` : key, isCredentialKey(key) ? key : undefined),
    );
  }
  return [];
}

/**
 * A ConfigMap's data: each file parsed as YAML (JSON is YAML) and walked, and its raw text scanned too, so
 * a file that does not parse is still searched.
 */
export function configMapFindings(
  configMap: { data?: Record<string, string> },
  where: string,
): SecretFinding[] {
  return Object.entries(configMap.data ?? {}).flatMap(([file, text]) => {
    const path = `${where} data[${file}]`;
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch {
      parsed = undefined;
    }
    const structured = parsed !== null && typeof parsed === 'object' ? secretValueFindings(parsed, path) : [];
    return [...structured, ...secretTextFindings(text, path)];
  });
}

/** Keys named like a credential that the scan lets through because they only name or describe one. */
export function credentialReferenceKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => credentialReferenceKeys(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    const own = CREDENTIAL_KEY.test(key) && isReferenceKey(key) ? [childPath] : [];
    return [...own, ...credentialReferenceKeys(child, childPath)];
  });
}
