/**
 * `node --import tsx bare-check-server-main.ts PORT`: the bare Check server as its own process, so its
 * CPU time can be read from /proc like the agent's. Prints `{"listening":{"grpcPort":N}}` when ready.
 */
import { startBareCheckServer } from './bare-check-server.js';

const port = Number(process.argv[2] ?? '0');
const server = await startBareCheckServer({ host: '127.0.0.1', port });
process.stdout.write(`${JSON.stringify({ listening: { grpcPort: server.port } })}\n`);
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
