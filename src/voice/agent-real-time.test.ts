import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { createAgentSession } from './index';
import { OpenAiLlm } from './llm/openai-llm';
import { OpenAiStt } from './stt/openai-stt';
import { startFakeOpenAiLlmServer } from './testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from './testing/fake-openai-stt-server';
import { asteriskPrompt, silenceFrames } from './testing/speech-fixtures';
import { fetchToolHttpClient } from './tools/tool-http-client';
import { SpawnTts } from './tts/spawn-tts';
import { fvadFactory } from './vad/fvad-vad';

test('production wiring (real clock, 20 ms interval ticker, flite): the agent answers with paced 160-sample frames', async () => {
  const llm = await startFakeOpenAiLlmServer(['Good morning.']);
  const stt = await startFakeOpenAiSttServer(['Hello?']);
  const session = createAgentSession({
    config: { prompt: 'Be brief.', voice: 'slt', product: 'spark', speakOrder: 'caller_first' },
    providers: {
      llm: new OpenAiLlm({ baseUrl: llm.baseUrl, model: 'm' }),
      stt: new OpenAiStt({ baseUrl: stt.baseUrl, model: 's' }),
      tts: new SpawnTts({ engine: 'flite' }),
      vad: fvadFactory(2),
    },
    callId: 'c1',
    clock: systemClock,
    log: silentLogger,
    toolHttp: fetchToolHttpClient,
    timings: { endOfTurnSilenceMs: 400 },
  });
  const frames: Int16Array[] = [];
  session.on('audio', (f) => frames.push(f));
  try {
    await session.prewarm();
    await session.start();
    for (const f of [...asteriskPrompt('hello-world'), ...silenceFrames(420)]) session.pushAudio(f);
    const done = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const t = session.transcript();
        if (t[1]?.content === 'Good morning.') {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    await done;
    assert.ok(frames.length > 25 && frames.every((f) => f.length === 160));
    assert.deepEqual(
      session.transcript().map((t) => `${t.role}:${String(t.content)}`),
      ['user:Hello?', 'assistant:Good morning.'],
    );
  } finally {
    await session.stop();
    await llm.close();
    await stt.close();
  }
});
