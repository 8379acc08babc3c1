// ARCHITECTURE.md stays true: the packages it lists are the workspace's, the ports are the code's
// defaults, and no document in the repository sends a reader outside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentConfigSchema, ControllerConfigSchema } from '@sluice/spec';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const architecture = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

/** The rows of the first markdown table after `heading`, as arrays of trimmed cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `no "## ${heading}" section`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

test('the package table is the workspace: names, directories and commands', () => {
  const workspace = readdirSync(join(ROOT, 'packages')).map((directory) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', directory, 'package.json'), 'utf8')) as {
      name: string;
      bin?: Record<string, string>;
    };
    return { name: manifest.name, directory, commands: Object.keys(manifest.bin ?? {}).join(', ') };
  });
  const rows = tableAfter(architecture, 'Packages').map(([name = '', directory = '', command = '']) => ({
    name: unquote(name),
    directory: /^\[packages\/([^\]]+)\]\(packages\/\1\/README\.md\)$/.exec(directory)?.[1] ?? directory,
    commands: unquote(command),
  }));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  assert.deepEqual(rows.sort(byName), workspace.sort(byName));
  // Any @sluice/* named anywhere on the page exists.
  const named = new Set([...architecture.matchAll(/@sluice\/[a-z0-9-]+/g)].map((match) => match[0]));
  const known = new Set(workspace.map((entry) => entry.name));
  assert.deepEqual(
    [...named].filter((name) => !known.has(name)),
    [],
  );
});

test("the port table is the agent's and controller's defaults, and no other port is named", () => {
  const agent = AgentConfigSchema.parse({});
  const controller = ControllerConfigSchema.parse({});
  const expected = [
    ['agent', agent.grpcPort, 'gRPC'],
    ['agent', agent.httpPort, 'HTTP'],
    ['controller', controller.grpcPort, 'gRPC'],
    ['controller', controller.httpPort, 'HTTP'],
    ['controller', controller.apiPort, 'HTTP'],
  ].map(([process, port, protocol]) => `${process} ${port} ${protocol}`);
  const rows = tableAfter(architecture, 'Processes and ports').map(
    ([process, port, protocol]) => `${process} ${port} ${protocol}`,
  );
  assert.deepEqual(rows.sort(), expected.sort());
  const ports = new Set(expected.map((row) => row.split(' ')[1]));
  const mentioned = [...architecture.matchAll(/:(\d{2,5})\b/g)].map((match) => match[1] ?? '');
  assert.ok(mentioned.length >= 4, `${mentioned.length} host:port mentions`);
  assert.deepEqual(
    mentioned.filter((port) => !ports.has(port)),
    [],
  );
});

test('ARCHITECTURE.md describes the commands the packages really have', () => {
  const cli = spawnSync(process.execPath, [join(ROOT, 'packages', 'cli', 'bin', 'sluicectl.js'), '--help'], {
    encoding: 'utf8',
  });
  assert.equal(cli.status, 0, cli.stderr);
  const row = tableAfter(architecture, 'Packages').find(([name]) => name === '`@sluice/cli`') ?? [];
  const groups = [...(row[3] ?? '').matchAll(/`([a-z-]+)`/g)].map((match) => match[1] ?? '');
  assert.ok(groups.length >= 5, groups.join(', '));
  for (const group of groups)
    assert.match(cli.stdout, new RegExp(`^\\s+${group}\\b`, 'm'), `sluicectl has no ${group} command`);
});

test('no document in the repository points outside it', () => {
  const listing = spawnSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  const documents = listing.stdout.split('\n').filter(Boolean);
  assert.ok(documents.includes('ARCHITECTURE.md') && documents.includes('README.md'));
  const problems: string[] = [];
  for (const document of documents) {
    const text = readFileSync(join(ROOT, document), 'utf8');
    if (/\.\.\/shared\b|\/work\/shared|DESIGN\.md/.test(text))
      problems.push(`${document}: refers to the development workspace's notes`);
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (match[1] ?? '').split('#')[0] ?? '';
      if (target === '' || /^[a-z]+:/.test(target)) continue; // an anchor, or a URL
      const path = resolve(dirname(join(ROOT, document)), target);
      if (relative(ROOT, path).startsWith('..'))
        problems.push(`${document}: ${target} is outside the repository`);
      else if (!existsSync(path)) problems.push(`${document}: ${target} does not exist`);
    }
  }
  assert.deepEqual(problems, []);
});
