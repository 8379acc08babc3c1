import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COMMANDS } from '../src/index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The README's command table: first cell (without backticks) to flags cell. */
function commandTable(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of README.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const name = /^`([a-z -]+?)(?: [A-Z[][^`]*)?`$/.exec(cells[1] ?? '')?.[1];
    if (name !== undefined && cells.length === 5) rows.set(name, cells[2] ?? '');
  }
  return rows;
}

test('the README lists every command with every flag, and nothing that is not a command', () => {
  const table = commandTable();
  assert.deepEqual([...table.keys()].sort(), COMMANDS.map((command) => command.path.join(' ')).sort());
  for (const command of COMMANDS) {
    const flags = table.get(command.path.join(' ')) ?? '';
    for (const [name, spec] of Object.entries(command.options)) {
      const written = spec.short ? `-${spec.short} ` : `--${name}`;
      assert.ok(
        flags.includes(written),
        `${command.path.join(' ')}: ${written.trim()} missing from the README`,
      );
      if (spec.required)
        assert.ok(
          flags.includes(`\`--${name} ${spec.valueName ?? 'VALUE'}\` (required)`),
          `${name} marked required`,
        );
      for (const choice of spec.choices ?? [])
        assert.ok(flags.includes(choice), `${command.path.join(' ')} --${name}: choice ${choice}`);
    }
    const mentioned = [...flags.matchAll(/--([a-z-]+)/g)].map((match) => match[1] ?? '');
    for (const name of mentioned)
      assert.ok(
        name in command.options,
        `${command.path.join(' ')}: the README names --${name}, which it does not take`,
      );
  }
});
