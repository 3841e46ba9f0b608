import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { testDialects } from '../support/dialects';
import { createRealtimeHarness, type RealtimeHarness } from '../support/realtime-harness';
import { until, untilValue } from '../support/until';
import { asteriskPrompt, fliteSpeech, silenceFrames } from '../../src/voice/testing/speech-fixtures';

const LONG =
  'Let me tell you a long story about our company. It started many years ago in a small garage. ' +
  'Then it grew and grew until it filled a whole building. Everybody was very happy about it. ' +
  'And the story goes on for quite a while longer than anyone would like to listen to. ' +
  'Years later the garage became a museum, and people came from far away to see where it began.';

/** pcm16 24 kHz base64 of 8 kHz frames (sample-repeated). */
function pcm24(frames: Int16Array[]): string {
  const out = Buffer.alloc(frames.length * 160 * 3 * 2);
  let o = 0;
  for (const f of frames) for (const s of f) for (let k = 0; k < 3; k++) o = out.writeInt16LE(s, o);
  return out.toString('base64');
}

async function connect(h: RealtimeHarness, key: string) {
  const ws = new WebSocket(`wss://${h.origin.slice('https://'.length)}/v1/realtime?model=spark&input_rate=24000`, {
    ca: h.ca,
    headers: { authorization: `Bearer ${key}` },
  });
  const events: any[] = [];
  ws.on('message', (d) => void events.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    events,
    waitFor: (type: string, pred: (e: any) => boolean = () => true) =>
      untilValue(type, () => events.find((e) => e.type === type && pred(e)), 30_000),
    send: (e: unknown) => ws.send(JSON.stringify(e)),
    count: (type: string) => events.filter((e) => e.type === type).length,
  };
}

for (const dialect of testDialects()) {
  describe(`realtime events follow barge-in: backchannels are not speech [${dialect}]`, () => {
    let h: RealtimeHarness;
    let key: string;
    before(async () => {
      h = await createRealtimeHarness(dialect, {
        llm: (req) => {
          const text = String(req.messages.at(-1)?.content ?? '').toLowerCase();
          return text.includes('story') ? { text: LONG, chunkDelayMs: 5 } : 'Sure.';
        },
        // Upload STT: the short utterance is "Uh-huh.", the long one a real interruption.
        stt: (upload) => (upload.durationMs < 900 ? 'Uh-huh.' : 'Hold on, a question.'),
      });
      key = (await h.api.createOrg({ balanceCents: 500 })).apiKey;
    });
    after(async () => {
      await h?.close();
    });

    test('an "uh-huh" while the agent speaks: no speech_started/stopped, the answer goes on; a real interruption: speech_started, the answer is cancelled and the words answered', async () => {
      const c = await connect(h, key);
      await c.waitFor('session.created');
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Tell me a story' }] },
      });
      c.send({ type: 'response.create' });
      const story = await c.waitFor('response.output_audio.delta');
      const receivedMs = () =>
        c.events
          .filter((e) => e.type === 'response.output_audio.delta' && e.response_id === story.response_id)
          .reduce((ms, e) => ms + Buffer.from(e.delta, 'base64').length / 48, 0);
      await until('1 s of the answer received', () => receivedMs() > 1000);

      const uploadsBefore = h.stt.uploads.length;
      const backchannel = [...fliteSpeech('uh-huh'), ...silenceFrames(1500)];
      c.send({ type: 'input_audio_buffer.append', audio: pcm24(backchannel) });
      await until('the backchannel was transcribed', () => h.stt.uploads.length > uploadsBefore);
      // Once the backchannel is over the agent is still talking, and nothing announced the caller's speech.
      const afterBackchannel = receivedMs();
      await until('the answer goes on', () => receivedMs() > afterBackchannel + 1500);
      assert.equal(c.count('input_audio_buffer.speech_started'), 0, 'no speech_started for a backchannel');
      assert.equal(c.count('input_audio_buffer.speech_stopped'), 0);
      assert.equal(c.count('input_audio_buffer.committed'), 0);
      assert.equal(
        c.events.find((e) => e.type === 'response.done' && e.response.id === story.response_id),
        undefined,
        'the answer was not cut',
      );

      const words = [...asteriskPrompt('hello-world'), ...asteriskPrompt('hello-world')];
      c.send({ type: 'input_audio_buffer.append', audio: pcm24([...words, ...silenceFrames(1500)]) });
      const started = await c.waitFor('input_audio_buffer.speech_started');
      // Positions in the client's audio: the interruption's first and last voiced frames.
      const voiced = words.map((f) => f.some((x) => Math.abs(x) > 1000));
      const speechStartMs = (backchannel.length + voiced.indexOf(true)) * 20;
      const speechEndMs = (backchannel.length + voiced.lastIndexOf(true) + 1) * 20;
      // Announced only once it interrupted, yet placed where the speech began (with the prefix padding, as OpenAI's).
      assert.ok(
        started.audio_start_ms >= speechStartMs - 500 && started.audio_start_ms <= speechStartMs + 100,
        `audio_start_ms ${started.audio_start_ms}, the speech starts at ${speechStartMs} ms of the audio sent`,
      );
      const cut = await c.waitFor('response.done', (e) => e.response.id === story.response_id);
      assert.equal(cut.response.status, 'cancelled');
      const stopped = await c.waitFor('input_audio_buffer.speech_stopped');
      assert.ok(
        stopped.audio_end_ms >= speechEndMs - 100 && stopped.audio_end_ms <= speechEndMs + 300,
        `audio_end_ms ${stopped.audio_end_ms}, the speech ends at ${speechEndMs} ms (not after the silence waited)`,
      );
      const heard = await c.waitFor('conversation.item.input_audio_transcription.completed');
      assert.equal(heard.transcript, 'Hold on, a question.');
      assert.equal(c.count('input_audio_buffer.speech_started'), 1);
      await c.waitFor('response.done', (e) => e.response.id !== story.response_id);
      c.ws.close();
    });
  });
}
