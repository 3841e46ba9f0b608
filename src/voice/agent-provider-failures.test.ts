import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt } from './testing/speech-fixtures';
import { startAgentRig } from './testing/agent-test-rig';
import type { FakeLlmReply } from './testing/fake-openai-llm-server';
import type { FakeSttReply } from './testing/fake-openai-stt-server';
import { ProviderError } from './provider-error';

const said = (d: { session: { transcript(): { role: string; content: unknown }[] } }): unknown[] =>
  d.session
    .transcript()
    .filter((t) => t.role === 'assistant')
    .map((t) => t.content);

describe('Provider failures do not kill the call', () => {
  const llmCases: [string, FakeLlmReply, string][] = [
    ['HTTP 500', { status: 500 }, 'provider_status'],
    ['a chunk that is not JSON', { rawSse: '{"choices": [ {"delta": ' }, 'provider_bad_response'],
    ['no answer (timeout)', { hang: true }, 'provider_timeout'],
  ];
  for (const [name, failure, code] of llmCases) {
    test(`LLM ${name}: the agent apologizes, and the next turn works`, async () => {
      const rig = await startAgentRig({
        llm: [failure, 'Yes, we are open today.'],
        stt: ['Are you open?', 'Are you open today?'],
        llmIdleTimeoutMs: 250,
      });
      const { d } = rig;
      try {
        await d.start();
        await d.play(asteriskPrompt('hello-world'));
        await d.untilAgentQuiet(300);
        assert.equal(d.errors.length, 1);
        assert.ok(d.errors[0]!.error instanceof ProviderError);
        assert.equal(d.errors[0]!.error.code, code);
        await d.play(asteriskPrompt('hello-world'));
        await d.untilAgentQuiet(300);
        assert.deepEqual(said(d), [
          "Sorry, I'm having trouble right now. Could you say that again?",
          'Yes, we are open today.',
        ]);
        assert.equal(d.ended, undefined);
      } finally {
        await rig.close();
      }
    });
  }

  const sttCases: [string, FakeSttReply, string][] = [
    ['HTTP 500', { status: 500 }, 'provider_status'],
    ['invalid JSON', { raw: 'not json' }, 'provider_bad_response'],
    ['no answer (timeout)', { hang: true }, 'provider_timeout'],
  ];
  for (const [name, failure, code] of sttCases) {
    test(`STT ${name}: the agent asks the caller to repeat, and the next turn works`, async () => {
      const rig = await startAgentRig({
        llm: ['We open at nine.'],
        stt: [failure, 'When do you open?'],
        sttTimeoutMs: 250,
      });
      const { d } = rig;
      try {
        await d.start();
        await d.play(asteriskPrompt('hello-world'));
        await d.untilAgentQuiet(300);
        assert.equal((d.errors[0]?.error as ProviderError | undefined)?.code, code);
        await d.play(asteriskPrompt('hello-world'));
        await d.untilAgentQuiet(300);
        assert.deepEqual(said(d), ["Sorry, I didn't catch that. Could you say it again?", 'We open at nine.']);
        assert.equal(rig.llm.requests.length, 1, 'the failed utterance never reached the model');
      } finally {
        await rig.close();
      }
    });
  }

  test('three failed turns in a row end the conversation with "error"', async () => {
    const rig = await startAgentRig({ llm: [{ status: 503 }], stt: ['Hello?'] });
    const { d } = rig;
    try {
      await d.start();
      for (let i = 0; i < 3 && !d.ended; i++) {
        await d.play(asteriskPrompt('hello-world'));
        await d.silence(2500);
      }
      assert.equal(d.ended?.reason, 'error');
      assert.equal(rig.llm.requests.length, 3);
    } finally {
      await rig.close();
    }
  });

  test('a TTS failure skips the sentence and reports it; the call goes on', async () => {
    const broken = {
      name: 'broken',
      synthesize: (): AsyncIterable<Int16Array> => ({
        [Symbol.asyncIterator]: () => ({
          next: () =>
            Promise.reject(new ProviderError('tts', 'provider_status', 'TTS answered HTTP 500', { status: 500 })),
        }),
      }),
    };
    const rig = await startAgentRig({ llm: ['Hello there.'], stt: ['Hi.'], tts: broken });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.silence(1000);
      assert.equal(d.audio.length, 0);
      assert.equal(d.errors[0]?.source, 'tts');
      assert.equal(d.ended, undefined);
    } finally {
      await rig.close();
    }
  });
});

describe('Acknowledgement for *-with-ack products', () => {
  test('manual: the acknowledgement is spoken while a slow answer is on its way', async () => {
    const rig = await startAgentRig({
      config: {
        product: 'storm-base-with-ack',
        acknowledgementPromptMode: 'manual',
        acknowledgementPrompt: 'Let me check that for you.',
      },
      timings: { ackAfterMs: 300 },
      llm: [{ text: 'Your order shipped yesterday.', firstTokenDelayMs: 400 }],
      stt: ['Where is my order?'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.until(() => d.session.transcript().filter((t) => t.role === 'assistant').length === 2, 60_000, {
        settle: false,
      });
      await d.untilAgentQuiet(300);
      assert.deepEqual(said(d), ['Let me check that for you.', 'Your order shipped yesterday.']);
      assert.ok(
        !rig.llm.requests.at(-1)!.messages.some((m) => m.content === 'Let me check that for you.'),
        'the filler is not part of the model context',
      );
    } finally {
      await rig.close();
    }
  });

  test('auto: the acknowledgement is generated once from the prompt; fast answers get none', async () => {
    const rig = await startAgentRig({
      config: { product: 'storm-extra-with-ack', acknowledgementPromptMode: 'auto' },
      timings: { ackAfterMs: 300 },
      llm: ['One sec.', 'Fast answer.'],
      stt: ['Question?'],
    });
    const { d } = rig;
    try {
      await d.start();
      assert.equal(rig.llm.requests.length, 1, 'generated at prewarm');
      assert.match(String(rig.llm.requests[0]!.messages.at(-1)!.content), /acknowledgement/);
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet(300);
      assert.deepEqual(said(d), ['Fast answer.']);
    } finally {
      await rig.close();
    }
  });
});
