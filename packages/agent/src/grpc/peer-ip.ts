import { isIPv6 } from 'node:net';

const IPV4_PEER = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/i;
const BRACKETED_PEER = /^\[([^\]]+)\](?::\d+)?$/;

/**
 * The IP part of a grpc-js peer string (`call.getPeer()`): `1.2.3.4:5678`, `::1:5678` (grpc-js
 * writes IPv6 without brackets), `[::1]:5678`, `::ffff:1.2.3.4:5678` (an IPv4 client on a
 * dual-stack socket, which is the IPv4 address). Anything else is returned as it is (`unknown` for
 * a call without a socket), so it still names the same peer for a Check and its access log.
 */
export function peerIpOf(peer: string): string {
  const ipv4 = IPV4_PEER.exec(peer);
  if (ipv4 !== null) return ipv4[1] as string;
  const bracketed = BRACKETED_PEER.exec(peer);
  if (bracketed !== null) return (bracketed[1] as string).toLowerCase();
  const colon = peer.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(peer.slice(colon + 1)) && isIPv6(peer.slice(0, colon)))
    return peer.slice(0, colon).toLowerCase();
  return peer;
}
