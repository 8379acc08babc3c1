import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../src/index.js';
import { sluicectl, tempDir } from './cli-support.js';

const installed = (shell: string): boolean =>
  spawnSync(shell, ['--version'], { encoding: 'utf8' }).status === 0;

async function script(shell: string): Promise<string> {
  const run = await sluicectl(['completion', shell]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  return run.stdout;
}

function flagsOf(command: (typeof COMMANDS)[number]): string[] {
  return [
    ...Object.entries(command.options).flatMap(([name, spec]) => [
      `--${name}`,
      ...(spec.short ? [`-${spec.short}`] : []),
    ]),
    '--help',
    '-h',
  ].sort();
}

test('every script names every command word and every flag of the command table', async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const text = await script(shell);
    for (const command of COMMANDS) {
      assert.ok(text.includes(`'${command.path.join(' ')}'`), `${shell}: ${command.path.join(' ')}`);
      for (const name of Object.keys(command.options))
        assert.match(
          text,
          new RegExp(shell === 'fish' ? `-l ${name}\\b` : `--${name}\\b`),
          `${shell}: --${name}`,
        );
    }
  }
  assert.match(await script('zsh'), /^#compdef sluicectl\n/);
  assert.match(await script('bash'), /\ncomplete -o filenames -F _sluicectl sluicectl\n$/);
  assert.match(await script('fish'), /\ncomplete -c sluicectl -f\n/);
});

test('an unknown or missing shell is bad input with the choices', async () => {
  const zhs = await sluicectl(['completion', 'zhs']);
  assert.equal(zhs.code, 2);
  assert.equal(
    zhs.stderr,
    'sluicectl completion: SHELL "zhs" is not supported; use one of bash, zsh, fish (did you mean "zsh"?)\n',
  );
  const none = await sluicectl(['completion']);
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'sluicectl completion: name exactly one SHELL: bash, zsh, fish\n');
});

test('each script is valid for its shell (syntax check by the real shell where installed)', async () => {
  const dir = tempDir();
  for (const shell of ['bash', 'zsh', 'fish']) {
    const file = join(dir, `sluicectl.${shell}`);
    writeFileSync(file, await script(shell));
    if (!installed(shell)) {
      // Without the shell, the structure test above is what checks the script.
      assert.ok(shell !== 'bash', 'bash runs the tests, so it is always installed');
      continue;
    }
    const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${shell} -n: ${check.stderr}`);
    assert.equal(check.stderr, '');
  }
});

/** Runs the bash completion function for a command line (the last word being completed). */
function bashComplete(file: string, words: string[]): string[] {
  const array = words.map((word) => `'${word}'`).join(' ');
  const run = spawnSync(
    'bash',
    [
      '-c',
      `source ${file}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _sluicectl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8', cwd: tempDir() },
  );
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter((line) => line !== '');
}

test('bash completes commands, subcommands, every flag and option values', async () => {
  const file = join(tempDir(), 'sluicectl.bash');
  writeFileSync(file, await script('bash'));
  assert.deepEqual(
    bashComplete(file, ['sluicectl', '']).sort(),
    [...new Set([...COMMANDS.map((command) => command.path[0] ?? ''), '--help', '--version'])].sort(),
  );
  assert.deepEqual(bashComplete(file, ['sluicectl', 'blueprints', '']), [
    'list',
    'values',
    'generate',
    '--help',
  ]);
  assert.deepEqual(bashComplete(file, ['sluicectl', 'blueprints', 'va']), ['values']);
  for (const command of COMMANDS)
    assert.deepEqual(
      bashComplete(file, ['sluicectl', ...command.path, '-']).sort(),
      flagsOf(command),
      command.path.join(' '),
    );
  // An option's value does not count as a command word, so the flags after it are still synth's.
  assert.deepEqual(bashComplete(file, ['sluicectl', 'synth', '--config', 'policy', '--mo']), ['--mode']);
  assert.deepEqual(bashComplete(file, ['sluicectl', 'synth', '--mode', '']), ['plain', 'helm']);
  assert.deepEqual(bashComplete(file, ['sluicectl', 'policy', 'list', '-o', 'j']), ['json']);
  assert.deepEqual(bashComplete(file, ['sluicectl', 'completion', '']), ['bash', 'zsh', 'fish']);
});

test('fish completes commands, every flag and option values (where fish is installed)', async (t) => {
  const file = join(tempDir(), 'sluicectl.fish');
  writeFileSync(file, await script('fish'));
  if (!installed('fish')) {
    t.diagnostic('fish is not installed: its script was checked for structure only');
    return;
  }
  const complete = (line: string): string[] => {
    const run = spawnSync('fish', ['-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout
      .split('\n')
      .filter((entry) => entry !== '')
      .map((entry) => entry.split('\t')[0] ?? '');
  };
  assert.deepEqual(complete('sluicectl blueprints ').sort(), ['generate', 'list', 'values']);
  for (const command of COMMANDS)
    assert.deepEqual(
      complete(`sluicectl ${command.path.join(' ')} -`).sort(),
      flagsOf(command),
      command.path.join(' '),
    );
  assert.deepEqual(complete('sluicectl install istioconfig -o ').sort(), ['json', 'yaml']);
  assert.deepEqual(complete('sluicectl completion ').sort(), ['bash', 'fish', 'zsh']);
});

test('zsh completes commands, every flag and option values (where zsh is installed)', async (t) => {
  const dir = tempDir();
  const file = join(dir, '_sluicectl');
  writeFileSync(file, await script('zsh'));
  if (!installed('zsh')) {
    t.diagnostic('zsh is not installed: its script was checked for structure only');
    return;
  }
  // Outside a completion widget compsys is not loaded, so its entry points are stood in for by functions
  // that print what they were offered; the script's own logic (which command, which option) runs for real.
  const driver = join(dir, 'driver.zsh');
  writeFileSync(
    driver,
    [
      'compdef() { :; }',
      'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }',
      '_describe() { local e; for e in "${(@P)2}"; do print -- "${e%%:*}"; done; }',
      "_files() { print -- '<files>'; }",
      `source ${file}`,
      'words=("$@"); CURRENT=$#',
      '_sluicectl',
      '',
    ].join('\n'),
  );
  const complete = (...words: string[]): string[] => {
    const run = spawnSync('zsh', [driver, 'sluicectl', ...words], { encoding: 'utf8' });
    assert.equal(run.stderr, '');
    return run.stdout.split('\n').filter((line) => line !== '');
  };
  assert.deepEqual(complete(''), [...new Set(COMMANDS.map((command) => command.path[0] ?? ''))]);
  assert.deepEqual(complete('blueprints', ''), ['list', 'values', 'generate']);
  for (const command of COMMANDS)
    assert.deepEqual(complete(...command.path, '-').sort(), flagsOf(command), command.path.join(' '));
  assert.deepEqual(complete('synth', '--config', 'policy', '--mode', ''), ['plain', 'helm']);
  assert.deepEqual(complete('policy', 'validate', ''), ['<files>']);
  assert.deepEqual(complete('completion', ''), ['bash', 'zsh', 'fish']);
});
