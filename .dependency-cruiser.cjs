/**
 * Import boundaries (ARCHITECTURE.md "Rules") and import cycles, checked by `npm test`
 * (scripts/test.sh: `npx depcruise --config .dependency-cruiser.cjs src test bench scripts`).
 * test/architecture/boundaries.test.ts proves every rule fails on a small fixture tree.
 *
 * Paths are relative to the repository root. Tests (`*.test.ts`) and test support (`testing/`
 * folders, test/, bench/) may wire modules together freely; only the cycle rule applies to them.
 * Type-only imports count (tsPreCompilationDeps).
 */

/** Test code: exempt from the boundary rules (not from the cycle rule). */
const TESTS = '(\\.test\\.ts$|/testing/)';

/** A module of src/ other than the named folders (and never a test). */
const srcExcept = (...folders) => ({ path: '^src/', pathNot: [`^src/(${folders.join('|')})/`, TESTS] });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'telephony-imports-no-domain',
      comment:
        'Rule 1: telephony/ takes commands and emits events; it imports only telephony/, audio/, shared/ and config/ ' +
        '(never voice/, calls/, billing/, webhooks/, api/, store/ or any other domain module).',
      severity: 'error',
      from: { path: '^src/telephony/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(telephony|audio|shared|config)/' },
    },
    {
      name: 'sip-knows-no-media',
      comment:
        'Rule 1: the SIP layers (telephony/sip/) carry SDP as an opaque body: they import nothing from ' +
        'telephony/call/, rtp/, sdp/, recording/ or audio/ (call legs build on SIP, never the reverse).',
      severity: 'error',
      from: { path: '^src/telephony/sip/', pathNot: TESTS },
      to: { path: '^src/(telephony/(call|rtp|sdp|recording)|audio)/' },
    },
    {
      name: 'voice-knows-no-sip',
      comment:
        'Rule 2: voice/ knows audio frames and text, never SIP or RTP: it imports only voice/, audio/, shared/, ' +
        'config/, agents/ (prompt variables) and net/ (the guarded HTTP client), never telephony/, calls/, api/, billing/.',
      severity: 'error',
      from: { path: '^src/voice/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(voice|audio|shared|config|agents|net)/' },
    },
    {
      name: 'telephony-only-through-calls',
      comment:
        'Rule 3: calls/ is the only place where telephony and voice meet. Only calls/ and the composition root ' +
        '(app/, main.ts) import telephony/.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(telephony|calls|app)/', '^src/main\\.ts$', TESTS] },
      to: { path: '^src/telephony/' },
    },
    {
      name: 'voice-only-through-calls',
      comment:
        'Rule 3: outside voice/ and calls/, the only seam into voice/ is the voice catalog ' +
        '(voice/tts/voice-catalog.ts: which voices exist, to validate voice ids) and the voice preview (voice/tts/voice-preview.ts).',
      severity: 'error',
      from: srcExcept('voice', 'calls'),
      to: { path: '^src/voice/', pathNot: '^src/voice/tts/(voice-catalog|voice-preview)\\.ts$' },
    },
    {
      name: 'fastify-only-in-api',
      comment: 'Rule 4: api/ is the only user of Fastify; no domain module imports fastify or @fastify/*.',
      severity: 'error',
      from: srcExcept('api'),
      to: { path: '(^|node_modules/)(fastify|@fastify/[^/]+)(/|$)' },
    },
    {
      name: 'api-only-from-composition-root',
      comment: 'Rule 4: api/ depends on domain modules, never the reverse: only app/ and main.ts import api/.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(api|app)/', '^src/main\\.ts$', TESTS] },
      to: { path: '^src/api/' },
    },
    {
      name: 'shared-imports-no-domain',
      comment: 'Rule 5: shared/ imports no other module of src/.',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'store-imports-no-domain',
      comment: 'Rule 5: store/ imports only store/ and shared/.',
      severity: 'error',
      from: { path: '^src/store/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(store|shared)/' },
    },
    {
      name: 'audio-imports-no-domain',
      comment: 'Rule 5: audio/ (neutral sample/frame helpers) imports only audio/ and shared/.',
      severity: 'error',
      from: { path: '^src/audio/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(audio|shared)/' },
    },
    {
      name: 'config-imports-no-domain',
      comment: 'Rule 6: config/ (the only reader of the environment) imports only config/ and shared/.',
      severity: 'error',
      from: { path: '^src/config/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(config|shared)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|data)/' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
