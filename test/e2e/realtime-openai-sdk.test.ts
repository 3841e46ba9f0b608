import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { OpenAIRealtimeWS as OpenAIRealtimeWSBeta } from 'openai/beta/realtime/ws';
import { testDialects } from '../support/dialects';
import { createRealtimeHarness, type RealtimeHarness } from '../support/realtime-harness';
import { untilValue } from '../support/until';
import { asteriskPrompt, silenceFrames } from '../../src/voice/testing/speech-fixtures';
import { resample } from '../../src/audio/resampler';

/** A real speech recording (Asterisk's "hello world", 8 kHz) as pcm16 at `rateHz`, in 100 ms base64 chunks, then silence. */
function speechChunks(rateHz: number): string[] {
  const frames = [...asteriskPrompt('hello-world'), ...silenceFrames(1500)];
  const narrow = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => narrow.set(f, i * 160));
  const wide = resample(narrow, 8000, rateHz);
  const bytes = Buffer.alloc(wide.length * 2);
  wide.forEach((s, i) => bytes.writeInt16LE(s, i * 2));
  const chunk = (rateHz / 10) * 2;
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(bytes.subarray(i, i + chunk).toString('base64'));
  return out;
}

/** Collects every server event of a realtime client, and waits for one. */
function recorder(rt: { on(event: 'event', fn: (e: any) => void): unknown }) {
  const events: any[] = [];
  rt.on('event', (e) => void events.push(e));
  return {
    events,
    types: () => events.map((e) => e.type as string),
    waitFor: (type: string, pred: (e: any) => boolean = () => true, timeoutMs = 30_000) =>
      untilValue(type, () => events.find((e) => e.type === type && pred(e)), timeoutMs),
  };
}

const opened = (socket: { once(ev: 'open', fn: () => void): unknown; readyState: number }) =>
  new Promise<void>((resolve) => (socket.readyState === 1 ? resolve() : socket.once('open', resolve)));

for (const dialect of testDialects()) {
  describe(`realtime API through the official openai SDK [${dialect}]`, () => {
    let h: RealtimeHarness;
    let key: string;
    let orgId: number;
    before(async () => {
      h = await createRealtimeHarness(dialect, {
        llm: (req) => {
          const last = [...req.messages].reverse().find((m) => m.role === 'user' || m.role === 'tool');
          if (last?.role === 'tool') return `The weather is ${JSON.parse(last.content).forecast}.`;
          const text = String(last?.content ?? '').toLowerCase();
          if (text.includes('weather')) return { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
          if (text.includes('hello')) return 'Hello there! How can I help you today?';
          return 'I heard you.';
        },
        stt: ['hello world'],
      });
      const org = await h.api.createOrg({ balanceCents: 500 });
      key = org.apiKey;
      orgId = org.id;
    });
    after(async () => h?.close());

    const client = () => new OpenAI({ apiKey: key, baseURL: `${h.origin}/v1` });

    for (const rateHz of [16000, 24000]) {
      test(`GA client: a spoken turn (pcm16 ${rateHz} Hz) is transcribed and answered with audio; the session is a billed mic call`, async () => {
        const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: h.ca } }, client());
        const rec = recorder(rt);
        rt.on('error', () => undefined);
        await opened(rt.socket);
        const created = await rec.waitFor('session.created');
        const callId = Number(String(created.session.id).replace('sess_', ''));
        rt.send({
          type: 'session.update',
          session: {
            type: 'realtime',
            instructions: 'You are a friendly test agent.',
            audio: {
              // The SDK's types know only 24 kHz; the wire format takes the rate.
              input: { format: { type: 'audio/pcm', rate: rateHz as 24000 }, turn_detection: { type: 'server_vad' } },
              output: { format: { type: 'audio/pcm', rate: rateHz as 24000 } },
            },
          },
        });
        await rec.waitFor('session.updated');
        for (const audio of speechChunks(rateHz)) rt.send({ type: 'input_audio_buffer.append', audio });

        await rec.waitFor('input_audio_buffer.speech_started');
        const stopped = await rec.waitFor('input_audio_buffer.speech_stopped');
        const transcribed = await rec.waitFor('conversation.item.input_audio_transcription.completed');
        assert.equal(transcribed.transcript, 'hello world');
        assert.equal(transcribed.item_id, stopped.item_id);
        const done = await rec.waitFor('response.done');
        assert.equal(done.response.status, 'completed');
        const audioDeltas = rec.events.filter((e) => e.type === 'response.output_audio.delta');
        assert.ok(audioDeltas.length > 10, `answered with audio (${audioDeltas.length} deltas)`);
        const bytes = audioDeltas.reduce((n, e) => n + Buffer.from(e.delta, 'base64').length, 0);
        assert.ok(bytes / 2 / rateHz > 0.5, `at least half a second of ${rateHz} Hz audio`);
        const transcript = rec.events
          .filter((e) => e.type === 'response.output_audio_transcript.delta')
          .map((e) => e.delta)
          .join('');
        assert.equal(transcript, 'Hello there! How can I help you today?');
        assert.ok(!rec.types().includes('response.audio.delta'), 'GA names only');
        const limits = await rec.waitFor('rate_limits.updated');
        assert.equal(limits.rate_limits[0].name, 'minutes');
        assert.ok(limits.rate_limits[0].remaining > 100, 'the balance pays many more minutes');
        // STT got the caller's real speech (about a second of it), not silence.
        const upload = h.stt.uploads.at(-1)!;
        assert.ok(upload.durationMs > 600, `speech reached STT (${upload.durationMs} ms)`);

        rt.close();
        const call = await untilValue('call finalized', async () => {
          const row = await h.api.deps.store.db
            .selectFrom('calls')
            .selectAll()
            .where('id', '=', callId)
            .executeTakeFirst();
          return row?.status === 'completed' ? row : undefined;
        });
        assert.equal(call.direction, 'mic');
        assert.equal(call.end_reason, 'caller_hangup');
        assert.equal(call.org_id, orgId);
        const turns = JSON.parse(call.transcript) as { role: string; content: string }[];
        assert.deepEqual(
          turns.map((t) => [t.role, t.content]),
          [
            ['user', 'hello world'],
            ['assistant', 'Hello there! How can I help you today?'],
          ],
        );
        assert.equal(call.billable_minutes, 1);
        const ledger = await h.api.deps.store.db
          .selectFrom('ledger_entries')
          .selectAll()
          .where('reference', '=', `call:${callId}`)
          .execute();
        assert.equal(ledger.length, 1, 'billed exactly once');
        assert.equal(ledger[0]!.amount_cents, -2);
        const hook = await h.api.deps.store.db
          .selectFrom('webhook_events')
          .selectAll()
          .where('type', '=', 'web.complete')
          .execute();
        assert.ok(hook.some((e) => JSON.parse(e.data).call_id === callId));
      });
    }

    test('beta client (OpenAI-Beta: realtime=v1): text input, beta event names, a client function call round trip', async () => {
      const rt = new OpenAIRealtimeWSBeta({ model: 'gpt-4o-realtime-preview', options: { ca: h.ca } }, client());
      const rec = recorder(rt);
      rt.on('error', () => undefined);
      await opened(rt.socket);
      await rec.waitFor('session.created');
      rt.send({
        type: 'session.update',
        session: {
          instructions: 'You know the weather.',
          input_audio_format: 'pcm16',
          output_audio_format: 'pcm16',
          // null = the client commits its turns (the SDK's types omit it; the protocol allows it).
          turn_detection: null as never,
          tools: [
            {
              type: 'function',
              name: 'get_weather',
              description: 'Weather of a city',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          ],
          tool_choice: 'auto',
        },
      });
      const updated = await rec.waitFor('session.updated');
      assert.equal(updated.session.turn_detection, null);
      assert.equal(updated.session.tools[0].name, 'get_weather');
      rt.send({
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'What is the weather in Paris?' }],
        },
      });
      rt.send({ type: 'response.create' });
      const args = await rec.waitFor('response.function_call_arguments.done');
      assert.equal(args.name, 'get_weather');
      assert.deepEqual(JSON.parse(args.arguments), { city: 'Paris' });
      const firstDone = await rec.waitFor('response.done');
      assert.equal(firstDone.response.output[0].type, 'function_call');
      rt.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: args.call_id, output: JSON.stringify({ forecast: 'sunny' }) },
      });
      rt.send({ type: 'response.create' });
      const second = await rec.waitFor('response.done', (e) => e.response.id !== firstDone.response.id);
      assert.equal(second.response.status, 'completed');
      const said = rec.events
        .filter((e) => e.type === 'response.audio_transcript.delta' && e.response_id === second.response.id)
        .map((e) => e.delta)
        .join('');
      assert.equal(said, 'The weather is sunny.');
      assert.ok(rec.types().includes('response.audio.delta'), 'beta audio deltas');
      assert.ok(!rec.types().includes('response.output_audio.delta'), 'no GA names on a beta connection');
      // The model saw the client's output as the tool result.
      const lastRequest = h.llm.requests.at(-1)!;
      assert.ok(lastRequest.messages.some((m) => m.role === 'tool' && m.content.includes('sunny')));
      rt.close();
    });
  });
}
