/**
 * Header mutations from a CheckResponse and their application to a header map. Pure.
 *
 * Envoy's ext_authz reading of `HeaderValueOption`: the deprecated `append` BoolValue, when present,
 * wins (true appends, false overwrites); otherwise `append_action` decides, defaulting to
 * `APPEND_IF_EXISTS_OR_ADD`. Appending joins with `,`, which is how a single-valued map holds
 * repeated headers.
 */
import type { HeaderAppendAction, HeaderValueOption } from './ext-authz-messages.js';

export type HeaderMutationAction =
  'append-or-add' | 'add-if-absent' | 'overwrite-or-add' | 'overwrite-if-exists';

export interface HeaderMutation {
  /** Lower-case header name. */
  readonly name: string;
  readonly value: string;
  readonly action: HeaderMutationAction;
}

const ACTIONS: Readonly<Record<HeaderAppendAction, HeaderMutationAction>> = {
  APPEND_IF_EXISTS_OR_ADD: 'append-or-add',
  ADD_IF_ABSENT: 'add-if-absent',
  OVERWRITE_IF_EXISTS_OR_ADD: 'overwrite-or-add',
  OVERWRITE_IF_EXISTS: 'overwrite-if-exists',
};

/** Options with no key are dropped: Envoy's validation rejects them. */
export function toHeaderMutations(options: readonly HeaderValueOption[] | undefined): HeaderMutation[] {
  const mutations: HeaderMutation[] = [];
  for (const option of options ?? []) {
    const name = option.header?.key?.toLowerCase();
    if (name === undefined || name === '') continue;
    const value = option.header?.value ?? option.header?.raw_value?.toString('utf8') ?? '';
    let action: HeaderMutationAction;
    if (option.append !== undefined)
      action = option.append.value === true ? 'append-or-add' : 'overwrite-or-add';
    else action = ACTIONS[option.append_action ?? 'APPEND_IF_EXISTS_OR_ADD'] ?? 'append-or-add';
    mutations.push({ name, value, action });
  }
  return mutations;
}

/** Applies mutations in order to `headers` (lower-case keys), in place. */
export function applyHeaderMutations(
  headers: Record<string, string>,
  mutations: readonly HeaderMutation[],
): void {
  for (const { name, value, action } of mutations) {
    const existing = headers[name];
    switch (action) {
      case 'append-or-add':
        headers[name] = existing === undefined ? value : `${existing},${value}`;
        break;
      case 'add-if-absent':
        if (existing === undefined) headers[name] = value;
        break;
      case 'overwrite-or-add':
        headers[name] = value;
        break;
      case 'overwrite-if-exists':
        if (existing !== undefined) headers[name] = value;
        break;
    }
  }
}

/** Envoy never lets an authorization server remove pseudo-headers or Host. */
export function removeHeaders(headers: Record<string, string>, names: readonly string[] | undefined): void {
  for (const raw of names ?? []) {
    const name = raw.toLowerCase();
    if (name.startsWith(':') || name === 'host') continue;
    delete headers[name];
  }
}
