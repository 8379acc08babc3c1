import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { test } from 'node:test';
import { bin, type ComponentName } from '../src/component-bins.js';

const COMPONENTS: readonly [ComponentName, string][] = [
  ['agent', 'sluice-agent'],
  ['controller', 'sluice-controller'],
  ['demo', 'sluice-demo'],
  ['proxy', 'sluice-proxy'],
];

test('each component resolves, by package name, to its committed executable bin wrapper', () => {
  for (const [component, command] of COMPONENTS) {
    const path = realpathSync(bin(component));
    assert.match(path, new RegExp(`/packages/${component}/bin/${command}\\.js$`), component);
    accessSync(path, constants.X_OK);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^#!\/usr\/bin\/env node\n/, component);
    assert.match(text, /dist\/main\.js/, component);
  }
});
