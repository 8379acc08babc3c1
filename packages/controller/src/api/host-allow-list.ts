import { isIP } from 'node:net';

/**
 * Which `Host` headers the API answers: `localhost` (and names under `.localhost`), any IP address, and
 * the names it is told (the controller Service's DNS names). A DNS-rebinding page reaches a port-forward
 * or a pod address under a name the attacker controls, and a browser always sends the name it resolved,
 * so refusing unknown names defeats it; an IP address in Host cannot come from rebinding, so those are
 * allowed (kubelet, port-forward to 127.0.0.1, a pod IP).
 */
export class HostAllowList {
  readonly #names: ReadonlySet<string>;

  constructor(names: readonly string[] = []) {
    this.#names = new Set(names.map((name) => normalise(name)));
  }

  /** The names configured besides localhost and IP addresses, for error messages. */
  get names(): readonly string[] {
    return [...this.#names].sort();
  }

  allows(hostHeader: string | undefined): boolean {
    const host = hostOf(hostHeader);
    if (host === undefined) return false;
    if (isIP(host) !== 0) return true;
    const name = normalise(host);
    return name === 'localhost' || name.endsWith('.localhost') || this.#names.has(name);
  }
}

/** The host part of a Host header (`[::1]:8092` → `::1`, `name:8092` → `name`); undefined if malformed. */
export function hostOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.startsWith('[')) {
    const match = /^\[([0-9A-Fa-f:.]+)\](:[0-9]{1,5})?$/.exec(header);
    return match?.[1];
  }
  const match = /^([^:]+)(:[0-9]{1,5})?$/.exec(header);
  return match?.[1];
}

/** Host names compare case-insensitively, with or without the root's trailing dot. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
