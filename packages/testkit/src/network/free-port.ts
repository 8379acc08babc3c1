import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/**
 * Ports below the kernel's ephemeral range: listen(0) and every outgoing connection draw from that range,
 * so a port found free there can be taken by some client's connection before the process meant to bind it
 * starts (seen as EADDRINUSE in the e2e topology, which reserves several ports up front).
 */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > 11_000 ? value : 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST = 10_000;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port that is free now, outside the ephemeral range, and not handed out before by this process.
 * It is released before return, so bind it promptly.
 */
export async function freePort(): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port between ${LOWEST} and ${highest} after 200 tries`);
}
