import { randomRtpBase, serverEnv } from './support/server-env';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { openStore, type Store } from '../../src/store/db';
import { testDialects } from '../support/dialects';
import { until } from '../support/until';
import { startFakeOpenAiLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { answeringTrunk } from './support/trunk-scenarios';
import { insertSippTrunkNumber } from './support/trunk-rows';
import { makeWorkDir, speechUlaw, startSipp } from './support/sipp-runner';
import { startServerProcess } from './support/server-process';
import { enqueueDial, insertQueuedCall, serverDatabaseUrl } from './support/server-database';

/*
 * Drain on deploy: SIGTERM reaches a real server process (what `npm start` runs) during a real
 * sipp call. The call runs on to its natural end (the trunk hangs up: completed / caller_hangup),
 * healthz says draining (503), an inbound INVITE meanwhile is refused 503 with Retry-After, a call
 * queued meanwhile is not dialed by this server, and the process exits (0) once the call is over.
 */

/** A caller whose INVITE must be refused 503 with a Retry-After header. */
const refusedCaller = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="caller refused while draining">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:+15557654321@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

]]></send>
  <recv response="100" optional="true"/>
  <recv response="503">
    <action><ereg regexp="^ *[0-9]+$" search_in="hdr" header="Retry-After:" check_it="true" assign_to="retry_after"/></action>
  </recv>
  <Reference variables="retry_after"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
</scenario>
`;

for (const dialect of testDialects())
  describe(`drain on deploy [${dialect}]`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    test('SIGTERM during a call: it ends naturally, new INVITEs get 503, no new dials, then the process exits', async () => {
      const dir = makeWorkDir();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const llm = await startFakeOpenAiLlmServer(['Hello, this is Acme.']);
      const stt = await startFakeOpenAiSttServer(['Hi.']);
      cleanups.push(
        () => llm.close(),
        () => stt.close(),
      );
      const secretKey = randomBytes(32);
      const databaseUrl = await serverDatabaseUrl(dialect, dir, cleanups, 'tp_drain');
      const env = serverEnv({
        databaseUrl,
        secretKey,
        dir,
        llmBaseUrl: llm.baseUrl,
        sttBaseUrl: stt.baseUrl,
        rtpBase: randomRtpBase(),
        extra: { DRAIN_TIMEOUT_MS: '120000', LOG_LEVEL: 'info' },
      });
      const server = await startServerProcess(env);
      cleanups.push(() => void server.child.kill('SIGKILL'));
      let exitCode: number | null = null;
      server.child.once('exit', (code) => (exitCode = code));

      // The trunk answers, streams speech and hangs up by itself a few seconds later.
      const trunk = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: speechUlaw(dir, 'tt-weasels', 0.5, 1.0), hangUpAfterMs: 6000 }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 60,
      });
      cleanups.push(() => trunk.kill());
      const store: Store = await openStore(databaseUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}8${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: trunk.port, number: from });
      const call = await insertQueuedCall(store, { orgId: org.id, from });
      await enqueueDial(store, call.id);
      const row = (id: number) =>
        store.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await until('the call is answered', async () => (await row(call.id)).answered_at !== null, 30_000);

      server.child.kill('SIGTERM');
      await until('healthz says draining', async () => {
        const res = await server.api('GET', '/v1/healthz', undefined, '');
        return res.status === 503 && res.body.status === 'draining';
      });
      const health = await server.api('GET', '/v1/healthz', undefined, '');
      assert.equal(health.body.ok, false);
      assert.equal(health.body.checks.drain.status, 'down');

      // A new inbound call while draining: 503 with Retry-After (sipp's scenario checks both).
      const caller = await startSipp({
        scenarioXml: refusedCaller,
        transport: 'udp',
        workDir: dir,
        remote: `127.0.0.1:${server.sipPort}`,
        service: from,
        timeoutS: 20,
      });
      cleanups.push(() => caller.kill());
      assert.equal(await caller.exited, 0, `the INVITE was not refused 503 + Retry-After: ${caller.diagnostics()}`);

      // A call queued while draining is left to other servers: this one never dials it.
      const queued = await insertQueuedCall(store, { orgId: org.id, from });
      await enqueueDial(store, queued.id);

      assert.equal(exitCode, null, 'the server still runs while its call goes on');
      assert.equal((await row(call.id)).status, 'in_progress', 'the call goes on after SIGTERM');
      await server.exited;
      assert.equal(exitCode, 0, server.output());
      const ended = await row(call.id);
      assert.equal(ended.status, 'completed');
      assert.equal(ended.end_reason, 'caller_hangup');
      assert.equal(await trunk.exited, 0, `the trunk saw a clean call: ${trunk.diagnostics()}`);
      const left = await row(queued.id);
      assert.equal(left.status, 'in_progress');
      assert.equal(left.phase, null, 'the call queued during the drain was not dialed');
      assert.ok(
        server.logLines().some((l) => l.msg === 'inbound call refused 503: draining'),
        'the refusal is logged',
      );
    });

    test('DRAIN_TIMEOUT_MS runs out: the call still live ends server_shutdown (we hang up), then the process exits', async () => {
      const dir = makeWorkDir();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const llm = await startFakeOpenAiLlmServer(['Hello, this is Acme.']);
      const stt = await startFakeOpenAiSttServer(['Hi.']);
      cleanups.push(
        () => llm.close(),
        () => stt.close(),
      );
      const secretKey = randomBytes(32);
      const databaseUrl = await serverDatabaseUrl(dialect, dir, cleanups, 'tp_drain2');
      const env = serverEnv({
        databaseUrl,
        secretKey,
        dir,
        llmBaseUrl: llm.baseUrl,
        sttBaseUrl: stt.baseUrl,
        rtpBase: randomRtpBase(),
        extra: { DRAIN_TIMEOUT_MS: '1500' },
      });
      const server = await startServerProcess(env);
      cleanups.push(() => void server.child.kill('SIGKILL'));
      let exitCode: number | null = null;
      server.child.once('exit', (code) => (exitCode = code));
      // This trunk never hangs up: it waits for our BYE.
      const trunk = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: speechUlaw(dir, 'tt-weasels', 0.5, 1.0) }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 60,
      });
      cleanups.push(() => trunk.kill());
      const store: Store = await openStore(databaseUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}5${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: trunk.port, number: from });
      const call = await insertQueuedCall(store, { orgId: org.id, from });
      await enqueueDial(store, call.id);
      const row = () => store.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
      await until('the call is answered', async () => (await row()).answered_at !== null, 30_000);

      server.child.kill('SIGTERM');
      await server.exited;
      assert.equal(exitCode, 0);
      const ended = await row();
      assert.equal(ended.status, 'completed');
      assert.equal(ended.end_reason, 'server_shutdown');
      assert.equal(await trunk.exited, 0, `the trunk got our BYE: ${trunk.diagnostics()}`);
      const ledger = await store.db.selectFrom('ledger_entries').selectAll().where('call_id', '=', call.id).execute();
      assert.equal(ledger.length, 1, 'billed once');
    });
  });
