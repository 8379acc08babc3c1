import { createHash, createHmac, hash } from 'node:crypto';
const key = Buffer.alloc(32, 7);
const body = 'x'.repeat(870);
const N = 140000;
function bench(name: string, f: () => unknown) { for (let i = 0; i < 20000; i++) f(); const rs: number[] = []; for (let r = 0; r < 7; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < N / 7; i++) f(); rs.push(Number(process.hrtime.bigint() - t) / (N / 7)); } rs.sort((a, b) => a - b); console.log(name.padEnd(30), rs[3]!.toFixed(0), 'ns'); }
for (let k = 0; k < 2; k++) {
bench('createHash+digest 870', () => createHash('sha256').update(body, 'latin1').digest());
bench('hash oneshot 870', () => hash('sha256', body, 'buffer'));
bench('hash oneshot 20', () => hash('sha256', 'abc', 'buffer'));
bench('createHmac 870', () => createHmac('sha256', key).update(body, 'latin1').digest());
bench('createHmac 20', () => createHmac('sha256', key).update('abc', 'latin1').digest());
}
