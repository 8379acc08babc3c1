import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandHelp, COMMANDS, renderTable } from '../src/index.js';
import { sluicectl } from './cli-support.js';

const BIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

test('version and --version print the package version; -o json gives version, node, platform, arch', async () => {
  const table = await sluicectl(['version']);
  assert.equal(table.code, 0);
  assert.equal(
    table.stdout,
    renderTable(
      ['VERSION', 'NODE', 'PLATFORM'],
      [[VERSION, process.version, `${process.platform}/${process.arch}`]],
    ),
  );
  assert.match(table.stdout, new RegExp(`\\n${VERSION.replace(/\./g, '\\.')}\\s+v\\d+\\.`));
  assert.equal((await sluicectl(['--version'])).stdout, table.stdout);
  const json = await sluicectl(['--version', '-o', 'json']);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout), {
    version: VERSION,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  });
  const yaml = await sluicectl(['version', '-o', 'yaml']);
  assert.equal(yaml.stdout.split('\n')[0], `version: ${VERSION}`);
  const bin = spawnSync(process.execPath, [BIN, '--version', '-o', 'json'], { encoding: 'utf8' });
  assert.equal(bin.status, 0, bin.stderr);
  assert.equal((JSON.parse(bin.stdout) as { version: string }).version, VERSION);
});

test('help CMD prints the same help as CMD --help; help GROUP lists its commands', async () => {
  for (const command of COMMANDS) {
    const help = await sluicectl(['help', ...command.path]);
    assert.equal(help.code, 0, command.path.join(' '));
    assert.equal(help.stdout, commandHelp(command));
    assert.equal((await sluicectl([...command.path, '--help'])).stdout, help.stdout);
  }
  const synth = await sluicectl(['help', 'synth']);
  assert.match(synth.stdout, /^Usage: sluicectl synth \[options\]\n/);
  const group = await sluicectl(['help', 'blueprints']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /^Usage: sluicectl blueprints COMMAND \[options\]\n/);
  assert.deepEqual(
    group.stdout
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim().split(/\s{2,}/)[0]),
    ['blueprints list', 'blueprints values', 'blueprints generate'],
  );
});

test('an unknown command, in help or run, is exit 2 with a did-you-mean', async () => {
  const help = await sluicectl(['help', 'synht']);
  assert.equal(help.code, 2);
  assert.equal(
    help.stderr,
    'sluicectl help: unknown command "synht" (did you mean "synth"?); run `sluicectl help` for the list\n',
  );
  const sub = await sluicectl(['help', 'blueprints', 'valuse']);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /unknown command "blueprints valuse" \(did you mean "blueprints values"\?\)/);
  const run = await sluicectl(['polcy', 'validate', 'x.yaml']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^sluicectl: unknown command "polcy" \(did you mean "policy"\?\)\n/);
  const option = await sluicectl(['--verison']);
  assert.equal(option.code, 2);
  assert.match(
    option.stderr,
    /^sluicectl: unknown option --verison \(did you mean "--version"\?\); name a COMMAND first\n/,
  );
  const far = await sluicectl(['deploy']);
  assert.equal(far.code, 2);
  assert.match(far.stderr, /^sluicectl: unknown command "deploy"\n/);
});

test('every missing required option is reported at once, before any work', async () => {
  const synth = await sluicectl(['synth']);
  assert.equal(synth.code, 2);
  assert.equal(
    synth.stderr,
    'sluicectl synth: missing required options: --config FILE, --output-dir DIR\n' +
      'Run `sluicectl synth --help`.\n',
  );
  // --name is optional for generate (an Aperture file names its blueprint); --values-file is not.
  const generate = await sluicectl(['blueprints', 'generate']);
  assert.match(generate.stderr, /missing required option: --values-file FILE\n/);
  const one = await sluicectl(['install', 'istioconfig', '--dry-run']);
  assert.match(one.stderr, /missing required option: --namespace NS\n/);
  const help = await sluicectl(['synth', '--help']);
  assert.match(
    help.stdout,
    /--config FILE +sluice\.config\.ts, or a YAML\/JSON Sluice config \(- reads one from standard input\)\. \(required\)/,
  );
});

test('unknown options get a did-you-mean; all problems are listed together', async () => {
  const run = await sluicectl(['blueprints', 'values', '--nme=x', '--outptu-file=y', '-x']);
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr,
    [
      'sluicectl blueprints values: unknown option --nme (did you mean "--name"?)',
      'sluicectl blueprints values: unknown option --outptu-file (did you mean "--output-file"?)',
      'sluicectl blueprints values: unknown option -x',
      'sluicectl blueprints values: missing required option: --name NAME',
      'Run `sluicectl blueprints values --help`.',
      '',
    ].join('\n'),
  );
});

test('no raw parser text reaches the user', async () => {
  const cases: [string[], string][] = [
    [
      ['charts', '-o', 'json'],
      'sluicectl charts: unknown option -o\nsluicectl charts: unexpected argument "json"',
    ],
    [
      ['blueprints', 'list', '-o'],
      'sluicectl blueprints list: -o needs a value (FORMAT); for one starting with "-" write -o=VALUE',
    ],
    [
      ['blueprints', 'list', '--output', '--help-me'],
      'sluicectl blueprints list: --output needs a value (FORMAT); for one starting with "-" write --output=VALUE\n' +
        'sluicectl blueprints list: unknown option --help-me (did you mean "--help"?)',
    ],
    [
      ['install', 'istioconfig', '--namespace=x', '--dry-run=yes'],
      'sluicectl install istioconfig: --dry-run takes no value (got "yes")',
    ],
    [
      ['blueprints', 'list', '-o', 'jsno'],
      'sluicectl blueprints list: -o/--output: "jsno" is not allowed; use one of table, json, yaml (did you mean "json"?)',
    ],
    [
      ['synth', '--config', 'c.yaml', '--output-dir', 'o', 'extra'],
      'sluicectl synth: unexpected argument "extra"',
    ],
  ];
  for (const [argv, message] of cases) {
    const run = await sluicectl(argv);
    assert.equal(run.code, 2, argv.join(' '));
    assert.equal(
      run.stderr,
      `${message}\nRun \`sluicectl ${argv[0] === 'charts' ? 'charts' : argv.slice(0, argv[0] === 'synth' ? 1 : 2).join(' ')} --help\`.\n`,
    );
    assert.doesNotMatch(run.stderr, /To specify|ERR_PARSE_ARGS|positional argument/);
  }
});

test('options take --name=value, -oVALUE and -o=VALUE forms; -- ends options', async () => {
  for (const argv of [
    ['blueprints', 'list', '--output=json'],
    ['blueprints', 'list', '-ojson'],
    ['blueprints', 'list', '-o=json'],
  ]) {
    const run = await sluicectl(argv);
    assert.equal(run.code, 0, `${argv.join(' ')}: ${run.stderr}`);
    assert.equal((JSON.parse(run.stdout) as unknown[]).length, 2);
  }
  const dashed = await sluicectl(['policy', 'validate', '--', '-not-an-option.yaml']);
  assert.equal(dashed.code, 2);
  assert.match(dashed.stderr, /-not-an-option\.yaml: cannot read \(ENOENT\)/);
});

test('URL options must be http or https with a host', async () => {
  const cases: [string, string][] = [
    ['not-a-url', 'is not a URL; expected http://HOST[:PORT][/PATH] or https://…'],
    ['ftp://example.com/repo.git', 'has scheme ftp; expected http or https'],
    ['http://', 'is not a URL; expected http://HOST[:PORT][/PATH] or https://…'],
    ['file:///tmp/repo', 'has scheme file; expected http or https'],
  ];
  for (const [value, reason] of cases) {
    for (const option of ['--argocd', '--flux']) {
      const run = await sluicectl(['synth', '--config', 'c.yaml', '--output-dir', 'o', option, value]);
      assert.equal(run.code, 2, `${option} ${value}`);
      assert.equal(
        run.stderr,
        `sluicectl synth: ${option}: "${value}" ${reason}\nRun \`sluicectl synth --help\`.\n`,
      );
    }
  }
  const controller = await sluicectl(['policy', 'list', '--controller', 'localhost:8092']);
  assert.equal(controller.code, 2);
  assert.match(
    controller.stderr,
    /--controller: "localhost:8092" has scheme localhost; expected http or https/,
  );
  const env = await sluicectl(['policy', 'list'], { env: { SLUICE_CONTROLLER: 'sluice-controller:8092' } });
  assert.equal(env.code, 2);
  assert.match(
    env.stderr,
    /SLUICE_CONTROLLER: "sluice-controller:8092" has scheme sluice-controller; expected http or https/,
  );
});
