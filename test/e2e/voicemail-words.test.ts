import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testDialects } from '../support/dialects';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { startFakeDeepgramServer, type FakeDeepgramServer } from '../../src/voice/testing/fake-deepgram-server';
import { ASTERISK_SOUNDS } from '../../src/voice/testing/speech-fixtures';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';

/*
 * A voicemail greeting decided by its WORDS over real SIP: a sipp trunk answers and streams
 * "You've reached Sam." (flite), a 1.5 s pause, "Please leave a message after the tone." and
 * Debian's beep.wav as PCMU RTP. On its sound alone the first sentence is a person's short
 * greeting followed by silence (the detector says human in the pause, and the agent greets the
 * machine); with a streaming speech-to-text configured (a FAKE Deepgram live server speaking
 * Deepgram's protocol, its scripted words standing in for recognition) the voicemail screen hears
 * "you've reached" and decides machine: voicemail_action hang_up ends the call `voicemail`. With
 * only the upload speech-to-text (a FAKE OpenAI-compatible /v1/audio/transcriptions server) the
 * screen uploads the greeting's first second and hears the same.
 */
function greetingUlaw(dir: string): string {
  const run = (cmd: string, args: string[]): void => {
    const r = spawnSync(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.toString()}`);
  };
  const a = join(dir, 'reached.wav');
  const b = join(dir, 'leave.wav');
  run('flite', ['-voice', 'slt', '-t', " You've reached Sam.", '-o', a]);
  run('flite', ['-voice', 'slt', '-t', ' Please leave a message after the tone.', '-o', b]);
  run('sox', [a, '-r', '8000', '-c', '1', `${a}.8k.wav`, 'pad', '0.3', '1.5']);
  run('sox', [b, '-r', '8000', '-c', '1', `${b}.8k.wav`]);
  const out = join(dir, 'reached-greeting.ulaw');
  run('sox', [
    `${a}.8k.wav`,
    `${b}.8k.wav`,
    `${ASTERISK_SOUNDS}/beep.wav`,
    '-r',
    '8000',
    '-c',
    '1',
    '-t',
    'ul',
    out,
    'pad',
    '0',
    '3',
  ]);
  return out;
}

type Turn = { role: string; content: string };

for (const dialect of testDialects()) {
  describe(`a voicemail greeting decided by its words [${dialect}]`, () => {
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    /** An upload STT that hears nothing: the greeting's sound alone decides. */
    let deaf: FakeSttServer;
    let deepgram: FakeDeepgramServer;
    const harnesses: CallE2e[] = [];
    const sipps: SippProcess[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer(['Hello, this is Acme Dental calling about your appointment.']);
      stt = await startFakeOpenAiSttServer(['Please leave a message after the tone.']);
      deaf = await startFakeOpenAiSttServer(['']);
      deepgram = await startFakeDeepgramServer({
        script: (i) => (i === 0 ? "You've reached Sam." : 'Please leave a message after the tone.'),
      });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      for (const h of harnesses) await h.close();
      await Promise.all([llm?.close(), stt?.close(), deaf?.close(), deepgram?.close()]);
    });

    /** One hang_up call to a trunk playing the greeting; the trunk hangs up itself after 9 s unless we do first. */
    const call = async (env: Record<string, string>, trunkHangsUp: boolean) => {
      const h = await openCallE2e(dialect, {
        env: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', STT_BASE_URL: stt.baseUrl, ...env },
        createAgent: realAgent,
      });
      harnesses.push(h);
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({
          audioPath: greetingUlaw(h.workDir),
          ...(trunkHangsUp ? { hangUpAfterMs: 9000 } : {}),
        }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 40,
      });
      sipps.push(sipp);
      const { apiKey, from } = await h.orgWithTrunk(sipp.port);
      const agent = await h.api('POST', '/v1/agents', apiKey, {
        name: 'Reminders',
        prompt: 'You remind patients of appointments.',
        voice: 'en-US-James1',
        voicemail_action: 'hang_up',
      });
      assert.equal(agent.status, 201, JSON.stringify(agent.body));
      const placed = await h.api('POST', '/v1/call', apiKey, {
        from_number: from,
        to_number: '+15550123497',
        agent_id: agent.body.id,
      });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const row = await h.waitForTerminal(placed.body.call_id as number, 30_000);
      assert.equal(await sipp.exited, 0, sipp.diagnostics());
      const said = (JSON.parse(row.transcript) as Turn[]).filter((t) => t.role === 'assistant');
      return { row, said };
    };

    test('with streaming speech-to-text: "you\'ve reached" decides machine, the call ends voicemail, the agent never speaks', async () => {
      const { row, said } = await call({ STT_STREAMING_PROVIDER: 'deepgram', STT_STREAMING_URL: deepgram.url }, false);
      assert.deepEqual([row.status, row.end_reason, row.answered_by], ['completed', 'voicemail', 'machine']);
      assert.deepEqual(said, [], 'the agent never spoke to the machine');
      // The agent's own stream (opened while ringing) never got audio: it never started.
      const streamed = deepgram.connections.filter((c) => c.audioMs > 0);
      assert.equal(streamed.length, 1, 'only the voicemail screen streamed the greeting to the speech-to-text');
      assert.ok(
        streamed[0]?.controls.includes('{"type":"CloseStream"}'),
        'and closed its stream (a few seconds of streaming)',
      );
    });

    test('with only the upload speech-to-text (STT_BASE_URL): the screen uploads the greeting, its words decide machine', async () => {
      const before = stt.uploads.length;
      const { row } = await call({}, false);
      assert.deepEqual([row.status, row.end_reason, row.answered_by], ['completed', 'voicemail', 'machine']);
      const screen = stt.uploads.slice(before);
      assert.equal(screen[0]?.durationMs, 1000, "the screen's first upload: the answer's first second");
    });

    test('the same greeting when the words say nothing: its sound alone is a person (the contrast the words make)', async () => {
      const { row, said } = await call({ STT_BASE_URL: deaf.baseUrl }, true);
      assert.equal(row.answered_by, 'human');
      assert.equal(row.end_reason, 'caller_hangup');
      assert.ok(said.length > 0, 'the agent greeted what it took for a person');
    });
  });
}
