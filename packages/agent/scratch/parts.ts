import { createHmac, createSecretKey, hash } from 'node:crypto';
import { RandomBytePool } from '../src/record-key/random-byte-pool.js';
const key = Buffer.alloc(32, 7); const ko = createSecretKey(key);
const body = 'eyJmbG93SWQiOiJhYmNkZWZnaC4xIiwibm9uY2UiOiJBQUFBQUFBQUFBQUFBQUFBIiwia2V5SWQiOiJrZXlpZDEyMyIsImNvbnRyb2xQb2ludCI6ImluZ3Jlc3MiLCJzZXJ2aWNlcyI6WyJzZXJ2aWNlMS1kZW1vLWFwcC5kZW1vYXBwLnN2Yy5jbHVzdGVyLmxvY2FsIl0sImRlY2lzaW9uIjoiYWNjZXB0ZWQiLCJjb21wb25lbnRzIjpbeyJwb2xpY3lOYW1lIjoicG9saWN5IiwicG9saWN5SGFzaCI6Imhhc2gtMSIsImNvbXBvbmVudElkIjoic2NoZWR1bGVyIiwia2luZCI6ImxvYWQtc2NoZWR1bGVyIiwiZGVjaXNpb24iOiJhY2NlcHRlZCIsImRyeVJ1biI6ZmFsc2UsInJlYXNvbiI6ImJvb3RzdHJhcHBpbmciLCJ3b3JrbG9hZCI6ImRlZmF1bHQiLCJ0b2tlbnMiOjEsInF1ZXVlZE1zIjowfV0sImZsdXhNZXRlcnMiOlt7InBvbGljeU5hbWUiOiJwb2xpY3kiLCJuYW1lIjoicG9saWN5In1dLCJsYWJlbHMiOnsiaHR0cC5tZXRob2QiOiJHRVQiLCJodHRwLnRhcmdldCI6Ii9vcmRlcnMvMTIzIiwiaHR0cC5wYXRoIjoiL29yZGVycy8xMjMifSwic3RhcnRlZEF0TXMiOjE3NjQwMDAwMDAwMDAsInByb2Nlc3NpbmdNcyI6MC4xMjN9';
const N = 200000;
function bench(name: string, f: () => unknown) { for (let i = 0; i < 20000; i++) f(); const rs: number[] = []; for (let r = 0; r < 7; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < N / 7; i++) f(); rs.push(Number(process.hrtime.bigint() - t) / (N / 7)); } rs.sort((a, b) => a - b); console.log(name.padEnd(30), rs[3]!.toFixed(0), 'ns'); }
const pool = new RandomBytePool();
const ipad = Buffer.alloc(64, 0x36), opad = Buffer.alloc(64, 0x5c); for (let i = 0; i < 32; i++) { ipad[i]! ^= key[i]!; opad[i]! ^= key[i]!; }
const scratch = Buffer.alloc(8192); ipad.copy(scratch); const outer = Buffer.alloc(96); opad.copy(outer);
const tag = 'sluice.decision-record.v2\u000010.1.2.3\u0000';
function oneShot() { let n = scratch.write(tag, 64, 'latin1'); n += scratch.write(body, 64 + n, 'latin1'); (hash('sha256', scratch.subarray(0, 64 + n), 'buffer') as Buffer).copy(outer, 64); return (hash('sha256', outer, 'buffer') as Buffer).toString('base64url', 0, 16); }
const viaHmac = () => createHmac('sha256', ko).update(tag, 'utf8').update(body, 'latin1').digest().toString('base64url', 0, 16);
console.log(oneShot() === viaHmac());
for (let k = 0; k < 2; k++) {
bench('hmac keyobject 2 updates', viaHmac);
bench('hmac buffer key 1 update', () => createHmac('sha256', key).update(tag + body, 'latin1').digest().toString('base64url', 0, 16));
bench('one-shot hash x2', oneShot);
bench('nonce 12', () => pool.base64url(12));
bench('base64url 900', () => scratch.toString('base64url', 0, 900));
}
