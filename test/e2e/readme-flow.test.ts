import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createApiHarness, describeApi, type ApiHarness } from '../support/api-harness';
import { ScriptedTrunkVerifier } from '../../src/numbers/testing/scripted-trunk-verifier';
import { startSipp, freePort } from '../sipp/sipp-harness';
import { EphemeralSipTrunkVerifier } from '../../src/app/ephemeral-sip-trunk-verifier';
import { silentLogger } from '../../src/shared/log';
import { barePath } from './support/bare-path';
import { freePort as freeE2ePort, makeWorkDir } from './support/sipp-runner';
import { randomRtpBase } from './support/server-env';

const verifier = new ScriptedTrunkVerifier();
const dialed: { callId: number }[] = [];

/** The README's curl flow, in order, through HTTP: only the SIP trunk check is scripted. */
describeApi(
  'README flow: admin org → agent → manual trunk → import → verify → POST /v1/call',
  (h) => {
    test('ends with 201 initiated and the calls.dial job delivered to a worker', async () => {
      await h().deps.queue.work<{ callId: number }>('calls.dial', async (job) => void dialed.push(job.payload));
      await h().deps.queue.start();
      const admin = await h().request('POST', '/admin/v1/orgs', {
        key: { admin: true },
        body: { name: 'Acme', balance_cents: 5000, trial: false },
      });
      assert.equal(admin.status, 201, admin.text);
      const key: string = admin.body.api_key;
      assert.match(key, /^sk_live_/);
      const billing = await h().request('GET', '/v1/billing', { key });
      assert.equal(billing.body.balance_cents, 5000);

      // Voices: the default first (what a client taking the first voice gets), the hosted id accepted.
      const voices = await h().request('GET', '/v1/voices', { key });
      assert.equal(voices.status, 200);
      assert.equal(voices.body[0].id, h().deps.voices.defaultVoice()?.id);
      assert.equal(voices.body[0].language, 'en-US');

      const agent = await h().request('POST', '/v1/agents', {
        key,
        body: { name: 'Front desk', prompt: 'You call {{name}}.', voice: 'en-US-James1', product: 'spark' },
      });
      assert.equal(agent.status, 201, agent.text);

      const trunk = {
        provider: 'manual',
        credentials: { username: 'alice', password: 'secret' },
        sip_config: { host: 'sip.mytrunk.example', port: 5060, transport: 'udp' },
      };
      const tested = await h().request('POST', '/v1/voip-connections/test', { key, body: trunk });
      assert.equal(tested.body.status, 'pass', tested.text);
      const conn = await h().request('POST', '/v1/voip-connections', {
        key,
        body: {
          name: 'My trunk',
          setup_method: 'manual',
          ...trunk,
          verification_evidence_id: tested.body.verification_evidence_id,
        },
      });
      assert.equal(conn.status, 201, conn.text);
      assert.equal(conn.body.status, 'connected');

      const imported = await h().request('POST', `/v1/voip-connections/${conn.body.id}/import-numbers`, {
        key,
        body: { numbers: ['+15551230001'] },
      });
      assert.equal(imported.status, 201, imported.text);
      assert.equal(imported.body[0].voip_verification_status, 'unverified');
      const verified = await h().request('POST', `/v1/phone-numbers/${imported.body[0].id}/verify-voip`, { key });
      assert.deepEqual([verified.body.voip_verification_status, verified.body.status], ['verified', 'active']);

      const call = await h().request('POST', '/v1/call', {
        key,
        body: {
          from_number: '+15551230001',
          to_number: '+15559876543',
          agent_id: agent.body.id,
          variables: { name: 'Ada' },
        },
      });
      assert.equal(call.status, 201, call.text);
      assert.equal(call.body.status, 'initiated');
      for (let i = 0; i < 200 && !dialed.some((p) => p.callId === call.body.call_id); i++)
        await new Promise((r) => setTimeout(r, 25));
      assert.ok(
        dialed.some((p) => p.callId === call.body.call_id),
        'the dial job reached the worker',
      );
      const polled = await h().request('GET', `/v1/calls/${call.body.call_id}`, { key });
      assert.deepEqual(
        [polled.body.status, polled.body.direction, polled.body.from_number],
        ['in_progress', 'outbound', '+15551230001'],
      );
      // The verifier saw the trunk exactly as configured.
      assert.deepEqual(verifier.requests[0], {
        host: 'sip.mytrunk.example',
        port: 5060,
        transport: 'udp',
        username: 'alice',
        password: 'secret',
      });
    });
  },
  { customize: (deps) => void (deps.trunkVerifier = verifier) },
);

/** The same endpoints with the REAL verifier (build-deps' SIP user agent) against sipp. */
describe('VoIP test + verify-voip with the real SIP verifier against sipp [sqlite: SIP does not depend on the dialect]', () => {
  let harness: ApiHarness | undefined;
  const h = (): ApiHarness => {
    if (!harness) throw new Error('no harness');
    return harness;
  };
  before(async () => {
    harness = await createApiHarness('sqlite', {
      env: { SIP_BIND: '127.0.0.1', SIP_PUBLIC_ADDRESS: '127.0.0.1' },
      // The real verifier, with a shorter budget so the dead-trunk case fails fast.
      customize: (deps) =>
        void (deps.trunkVerifier = new EphemeralSipTrunkVerifier(deps.config, silentLogger, { timeoutMs: 1500 })),
    });
  });
  after(async () => harness?.close());

  test('sipp trunk accepting alice/secret passes; a dead port fails verify-voip with a reason', async () => {
    const org = await h().createOrg();
    const sipp = await startSipp('uas-registrar.xml');
    let evidence: string;
    try {
      const res = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: {
          provider: 'manual',
          credentials: { username: 'alice', password: 'secret' },
          sip_config: { host: '127.0.0.1', port: sipp.port },
        },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'pass', res.text);
      assert.deepEqual(res.body.checks, {
        credentials_valid: true,
        inbound_reachable: true,
        outbound_authorized: true,
      });
      assert.equal((await sipp.done).code, 0);
      assert.match(sipp.messages(), /Authorization: Digest username="alice"/);
      evidence = res.body.verification_evidence_id;
    } finally {
      sipp.kill();
    }
    const conn = await h().request('POST', '/v1/voip-connections', {
      key: org.apiKey,
      body: {
        name: 'sipp',
        provider: 'manual',
        setup_method: 'manual',
        credentials: { username: 'alice', password: 'secret' },
        sip_config: { host: '127.0.0.1', port: sipp.port },
        verification_evidence_id: evidence,
      },
    });
    assert.equal(conn.status, 201, conn.text);
    // The trunk goes away: verify-voip now fails, with the reason.
    const dead = await freePort();
    await h()
      .deps.store.db.updateTable('voip_connections')
      .set({ sip_config: JSON.stringify({ host: '127.0.0.1', port: dead, transport: 'udp' }) })
      .where('id', '=', conn.body.id)
      .execute();
    const imported = await h().request('POST', `/v1/voip-connections/${conn.body.id}/import-numbers`, {
      key: org.apiKey,
      body: { numbers: ['+15551230002'] },
    });
    const verify = await h().request('POST', `/v1/phone-numbers/${imported.body[0].id}/verify-voip`, {
      key: org.apiKey,
    });
    assert.equal(verify.status, 200);
    assert.equal(verify.body.voip_verification_status, 'failed');
    assert.match(verify.body.voip_verification_error, /did not answer/);
  });
});

/** The commands of the README code block after `<!-- quickstart:<name> ... -->`, continuation lines joined. */
function readmeCommands(name: string): string[] {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const at = readme.indexOf(`<!-- quickstart:${name}`);
  assert.ok(at >= 0, `README has the quickstart:${name} block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/*
 * The README quickstart exactly as written, on a PATH with just node, npm, curl and a shell (no espeak-ng,
 * flite or sox: a fresh machine). `npm ci` is what made the tree this test runs in (CI runs
 * `npm ci && npm test`), so the test runs the rest: `npm start`, then each curl of the second block
 * with the printed key. The only changes are where things go, so it can run beside other tests:
 * free ports and a temporary data folder (PORT, SIP_PORT, RTP range, DATABASE_URL).
 */
describe('README quickstart, as written, on a machine with only node, npm, curl and a shell', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('npm start prints the banner and a key; healthz, voices and the en-US-James1 agent answer as described', async () => {
    const dir = makeWorkDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [server] = readmeCommands('server');
    assert.equal(server, 'npm ci && npm start');
    const port = await freeE2ePort();
    const rtpBase = randomRtpBase();
    const env = {
      HOME: dir,
      PATH: barePath(dir, ['node', 'npm', 'sh', 'bash', 'curl']),
      npm_config_update_notifier: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      SIP_PORT: String(await freeE2ePort()),
      SIP_BIND: '127.0.0.1',
      RTP_PORT_MIN: String(rtpBase),
      RTP_PORT_MAX: String(rtpBase + 100),
      DATABASE_URL: `sqlite:${join(dir, 'data', 'thunderphone.db')}`,
    };
    const child = spawn('/bin/bash', ['-c', server.replace(/^npm ci && /, '')], {
      cwd: join(import.meta.dirname, '../..'),
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    cleanups.push(async () => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const key = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no key:\n${out}\n${err}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^ {4}(sk_live_\w+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', () => reject(new Error(`npm start exited:\n${out}\n${err}`)));
    });
    // The banner says what works, naming espeak-ng as optional with its fix.
    assert.match(out, new RegExp(`API: +http://localhost:${port}/v1`));
    assert.match(out, /ok\s+database\s+sqlite:/);
    assert.match(out, /ok\s+tts\s+embedded \(flite WebAssembly\): 5 voices, default en-US-Kal/);
    assert.match(out, /optional: espeak-ng \(voices in 100\+ languages\): apt-get install espeak-ng/);
    assert.match(out, /warning\s+llm\s+not configured[^\n]*\n\s+fix: set LLM_BASE_URL/);

    const [exports, ...commands] = readmeCommands('client').map((c) =>
      c.replaceAll('localhost:8080', `localhost:${port}`).replaceAll('sk_live_...', key),
    );
    assert.match(exports!, /^export TP=/);
    const outputs = commands.map((command) => {
      const r = spawnSync('/bin/bash', ['-c', `${exports}\n${command}`], { env, encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 0, `${command}\n${r.stderr}`);
      return JSON.parse(r.stdout);
    });
    assert.equal(outputs.length, 3, 'healthz, voices, agents');
    const [health, voices, agent] = outputs;
    assert.deepEqual([health.checks.tts.status, health.checks.tts.engine], ['ok', 'embedded']);
    assert.equal(health.checks.llm.status, 'warning');
    assert.equal(voices[0].id, 'en-US-Kal');
    assert.deepEqual([agent.name, agent.voice], ['Front desk', 'en-US-James1']);
    assert.equal(typeof agent.id, 'number');
  });
});
