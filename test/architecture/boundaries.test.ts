import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';

/**
 * Proves that `npm test` enforces ARCHITECTURE.md "Rules": every rule fails on a small fixture that
 * breaks it, and passes on fixtures that keep it. Import rules and cycles: dependency-cruiser with
 * the repository's .dependency-cruiser.cjs over a temporary tree; environment, clock and randomness:
 * ESLint with the repository's eslint.config.js on virtual files.
 */
const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The modules of the fixture tree: path → imports. Targets exist so every import resolves. */
const TREE: Record<string, string[]> = {
  // Targets.
  'src/voice/agent-session.ts': [],
  'src/voice/tts/voice-catalog.ts': [],
  'src/calls/call-runtime.ts': [],
  'src/billing/ledger.ts': [],
  'src/webhooks/webhook-outbox.ts': [],
  'src/api/server.ts': [],
  'src/store/db.ts': [],
  'src/orgs/org-service.ts': [],
  'src/shared/clock.ts': [],
  'src/audio/wav.ts': [],
  'src/config/schema.ts': [],
  'src/telephony/rtp/rtp-session.ts': [],
  'src/telephony/call/call-leg.ts': [],
  // Rule 1: telephony/ imports no other domain.
  'src/telephony/uses-voice.ts': ['../voice/agent-session'],
  'src/telephony/uses-calls.ts': ['../calls/call-runtime'],
  'src/telephony/uses-billing.ts': ['../billing/ledger'],
  'src/telephony/uses-webhooks.ts': ['../webhooks/webhook-outbox'],
  'src/telephony/uses-api.ts': ['../api/server'],
  'src/telephony/uses-store.ts': ['../store/db'],
  // Rule 2: voice/ never SIP/RTP.
  'src/voice/uses-telephony.ts': ['../telephony/rtp/rtp-session'],
  'src/voice/uses-calls.ts': ['../calls/call-runtime'],
  'src/voice/uses-api.ts': ['../api/server'],
  'src/voice/uses-billing.ts': ['../billing/ledger'],
  // Rule 3: calls/ is the only place telephony and voice meet.
  'src/webhooks/uses-telephony.ts': ['../telephony/rtp/rtp-session'],
  'src/numbers/uses-voice-internals.ts': ['../voice/agent-session'],
  // Rule 4: api/ is the only Fastify user; no domain module imports api/.
  'src/billing/uses-fastify.ts': ['fastify'],
  'src/orgs/uses-api.ts': ['../api/server'],
  // Rule 5 (+ the neutral audio/ and config/): no domain imports.
  'src/shared/uses-orgs.ts': ['../orgs/org-service'],
  'src/store/uses-calls.ts': ['../calls/call-runtime'],
  'src/audio/uses-voice.ts': ['../voice/agent-session'],
  'src/config/uses-calls.ts': ['../calls/call-runtime'],
  // Cycles.
  'src/webhooks/cycle-a.ts': ['./cycle-b'],
  'src/webhooks/cycle-b.ts': ['./cycle-a'],
  // Rule 1: the SIP layers know nothing of media or call legs.
  'src/telephony/sip/uses-call-leg.ts': ['../call/call-leg'],
  'src/telephony/sip/uses-rtp.ts': ['../rtp/rtp-session'],
  // Controls: allowed imports.
  'src/calls/joins-both.ts': ['../telephony/rtp/rtp-session', '../voice/agent-session', '../billing/ledger'],
  'src/api/uses-fastify.ts': ['fastify', '../calls/call-runtime', '../voice/tts/voice-catalog'],
  'src/numbers/uses-voice-catalog.ts': ['../voice/tts/voice-catalog'],
  'src/telephony/uses-neutral.ts': ['../shared/clock', '../audio/wav', '../config/schema'],
  'src/voice/uses-neutral.ts': ['../shared/clock', '../audio/wav'],
  'src/store/uses-shared.ts': ['../shared/clock'],
  'src/app/composition-root.ts': ['../api/server', '../telephony/rtp/rtp-session', '../voice/tts/voice-catalog'],
  'src/telephony/rtp/rtp-session.test.ts': ['../../voice/agent-session', '../../calls/call-runtime'],
  'src/calls/testing/fixtures.ts': ['../../api/server', '../../orgs/org-service'],
};

/**
 * Each fixture that breaks a rule → the rule it must fail (it may break others too, e.g. telephony →
 * api/ also breaks rule 4). Every other module must pass. A cycle is reported once, from one of its
 * modules (dependency-cruiser drops the rotations of a cycle), hence `cycle-a or cycle-b`.
 */
const EXPECTED: Record<string, string> = {
  ...Object.fromEntries(
    ['voice', 'calls', 'billing', 'webhooks', 'api', 'store'].map((m) => [
      `src/telephony/uses-${m}.ts`,
      'telephony-imports-no-domain',
    ]),
  ),
  ...Object.fromEntries(
    ['telephony', 'calls', 'api', 'billing'].map((m) => [`src/voice/uses-${m}.ts`, 'voice-knows-no-sip']),
  ),
  'src/webhooks/uses-telephony.ts': 'telephony-only-through-calls',
  'src/numbers/uses-voice-internals.ts': 'voice-only-through-calls',
  'src/billing/uses-fastify.ts': 'fastify-only-in-api',
  'src/orgs/uses-api.ts': 'api-only-from-composition-root',
  'src/shared/uses-orgs.ts': 'shared-imports-no-domain',
  'src/store/uses-calls.ts': 'store-imports-no-domain',
  'src/audio/uses-voice.ts': 'audio-imports-no-domain',
  'src/config/uses-calls.ts': 'config-imports-no-domain',
  'src/webhooks/cycle-a.ts or cycle-b.ts': 'no-circular',
  'src/telephony/sip/uses-call-leg.ts': 'sip-knows-no-media',
  'src/telephony/sip/uses-rtp.ts': 'sip-knows-no-media',
};

test('dependency-cruiser: every import rule and the cycle rule fail on a fixture that breaks them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-boundaries-'));
  try {
    for (const [file, imports] of Object.entries(TREE)) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      const body = imports.map((spec, i) => `import * as m${i} from '${spec}';\nvoid m${i};\n`).join('');
      writeFileSync(join(dir, file), `${body}export const x = 1;\n`);
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { moduleResolution: 'Bundler' } }));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const result = await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'json',
        'src',
      ],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] }; modules: unknown[] };
    assert.equal(report.modules.length >= Object.keys(TREE).length, true, 'every fixture was cruised');
    const flagged = new Map<string, Set<string>>();
    for (const v of report.summary.violations) {
      const from = v.from.replace(/^src\/webhooks\/cycle-[ab]\.ts$/, 'src/webhooks/cycle-a.ts or cycle-b.ts');
      flagged.set(from, (flagged.get(from) ?? new Set()).add(v.rule.name));
    }
    assert.deepEqual([...flagged.keys()].sort(), Object.keys(EXPECTED).sort(), 'exactly the breaking fixtures fail');
    for (const [from, rule] of Object.entries(EXPECTED))
      assert.ok(
        flagged.get(from)?.has(rule),
        `${from} fails ${rule} (got ${[...(flagged.get(from) ?? [])].join(', ')})`,
      );
    const namedRules = new Set(Object.values(EXPECTED));
    const config = (await import(join(ROOT, '.dependency-cruiser.cjs'))) as {
      default: { forbidden: { name: string }[] };
    };
    assert.deepEqual(
      config.default.forbidden.map((r) => r.name).filter((name) => !namedRules.has(name)),
      [],
      'every rule of .dependency-cruiser.cjs has a failing fixture',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const eslint = new ESLint({
  cwd: ROOT,
  // Syntax rules only: no type information needed for virtual files.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: false } } },
  ruleFilter: ({ ruleId }) => ruleId.startsWith('no-restricted-'),
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}:${m.line}`);
}

const ENV_CODE = [
  'export const a = process.env.PORT;',
  'export const { env } = process;',
  "import { env as e } from 'node:process';",
  'export const b = e;',
].join('\n');
const ENV_FAILS = ['no-restricted-properties:1', 'no-restricted-properties:2', 'no-restricted-imports:3'];

const CLOCK_CODE = [
  'export const a = Date.now();',
  'export const b = new Date();',
  'export const c = Date();',
  'export const d = performance.now();',
  'export const e = Math.random();',
  'export const f = crypto.randomUUID();',
  "import { randomBytes } from 'node:crypto';",
  'export const g = randomBytes(4);',
  'export const h = process.hrtime.bigint();',
  "export const ok = new Date('2026-01-01T00:00:00Z').toISOString() + new Date(0).getTime();",
].join('\n');
const CLOCK_FAILS = [
  'no-restricted-properties:1',
  'no-restricted-syntax:2',
  'no-restricted-syntax:3',
  'no-restricted-properties:4',
  'no-restricted-properties:5',
  'no-restricted-properties:6',
  'no-restricted-imports:7',
  'no-restricted-properties:9',
];

test('ESLint rule 6: process.env only in config/ and the entry points', async () => {
  assert.deepEqual(await problems('src/calls/fixture.ts', ENV_CODE), ENV_FAILS);
  assert.deepEqual(await problems('src/shared/clock.ts', ENV_CODE), ENV_FAILS);
  for (const allowed of ['src/config/fixture.ts', 'src/main.ts', 'src/cli/main.ts'])
    assert.deepEqual(await problems(allowed, ENV_CODE), [], allowed);
});

test('ESLint rule 6: wall-clock time and randomness only in shared/clock.ts and shared/ids.ts', async () => {
  assert.deepEqual(await problems('src/webhooks/fixture.ts', CLOCK_CODE), CLOCK_FAILS);
  assert.deepEqual(await problems('src/config/fixture.ts', CLOCK_CODE), CLOCK_FAILS);
  assert.deepEqual(await problems('src/main.ts', CLOCK_CODE), CLOCK_FAILS);
  for (const allowed of ['src/shared/clock.ts', 'src/shared/ids.ts'])
    assert.deepEqual(await problems(allowed, CLOCK_CODE), [], allowed);
});

test('ESLint rule 6: tests and test support are exempt', async () => {
  for (const exempt of ['src/calls/fixture.test.ts', 'src/calls/testing/fixture.ts'])
    assert.deepEqual(await problems(exempt, `${ENV_CODE}\n${CLOCK_CODE}`), [], exempt);
});

test('print-config shows every restriction for a file (no block cancels another)', async () => {
  const config = (await eslint.calculateConfigForFile(join(ROOT, 'src/calls/fixture.ts'))) as {
    rules: Record<string, unknown[]>;
  };
  const properties = config.rules['no-restricted-properties']!.slice(1) as { object: string; property: string }[];
  const names = properties.map((p) => `${p.object}.${p.property}`);
  for (const name of ['process.env', 'Date.now', 'performance.now', 'Math.random', 'crypto.randomUUID'])
    assert.ok(names.includes(name), name);
  assert.equal(config.rules['no-restricted-syntax']!.length, 3);
  const imports = config.rules['no-restricted-imports']![1] as { paths: { name: string }[] };
  assert.deepEqual([...new Set(imports.paths.map((p) => p.name))].sort(), [
    'crypto',
    'node:crypto',
    'node:perf_hooks',
    'node:process',
    'perf_hooks',
    'process',
  ]);
});
