import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAiLlmServer } from '../testing/fake-openai-llm-server';
import { startLoopbackServer } from '../testing/loopback-server';
import type { ProviderError } from '../provider-error';
import type { LlmEvent } from './llm';
import { OpenAiLlm, modelForProduct } from './openai-llm';
import { SseParser } from './sse-parser';

async function collect(it: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const out: LlmEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('OpenAI-compatible LLM client', () => {
  test('SSE events split across reads, CRLF line ends and comments are parsed', () => {
    const p = new SseParser();
    assert.deepEqual(p.push(': keep-alive\r\ndata: {"a"'), []);
    assert.deepEqual(p.push(':1}\r\n\r\ndata: [DONE]\n'), ['{"a":1}']);
    assert.deepEqual(p.end(), ['[DONE]']);
  });

  test('streams text deltas and assembles tool calls from pieces', async () => {
    const srv = await startFakeOpenAiLlmServer([
      {
        text: 'Checking now.',
        toolCalls: [
          { name: 'lookup', arguments: { id: 7 }, id: 'call_a' },
          { name: 'end_call', arguments: {} },
        ],
      },
    ]);
    try {
      const llm = new OpenAiLlm({ baseUrl: srv.baseUrl, model: 'm1', apiKey: 'k' });
      const events = await collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }], tools: [] }));
      const text = events
        .filter((e) => e.type === 'text')
        .map((e) => (e.type === 'text' ? e.text : ''))
        .join('');
      assert.equal(text, 'Checking now.');
      assert.ok(events.filter((e) => e.type === 'text').length > 1, 'text arrives in pieces');
      assert.deepEqual(
        events.filter((e) => e.type === 'tool_call').map((e) => e.type === 'tool_call' && e.call),
        [
          { id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{"id":7}' } },
          { id: 'call_1', type: 'function', function: { name: 'end_call', arguments: '{}' } },
        ],
      );
      assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'tool_calls' });
      assert.equal(srv.requests[0]!.stream, true);
      assert.equal(srv.requests[0]!.model, 'm1');
      assert.equal(srv.requests[0]!.authorization, 'Bearer k');
    } finally {
      await srv.close();
    }
  });

  test('a server that ignores stream:true and answers one JSON document still works', async () => {
    const srv = await startLoopbackServer((_req, _body, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ choices: [{ message: { content: 'Plain answer.' }, finish_reason: 'stop' }] }));
    });
    try {
      const events = await collect(new OpenAiLlm({ baseUrl: srv.url, model: 'm' }).stream({ messages: [], tools: [] }));
      assert.deepEqual(events, [
        { type: 'text', text: 'Plain answer.' },
        { type: 'done', finishReason: 'stop' },
      ]);
    } finally {
      await srv.close();
    }
  });

  test('failures are ProviderErrors with stable codes and retryability', async () => {
    const srv = await startFakeOpenAiLlmServer([{ status: 429 }, { status: 400 }, { rawSse: 'nope' }, { hang: true }]);
    const early = await startLoopbackServer((_req, _body, res) => {
      res
        .writeHead(200, { 'content-type': 'text/event-stream' })
        .end('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n');
    });
    try {
      const llm = new OpenAiLlm({ baseUrl: srv.baseUrl, model: 'm', idleTimeoutMs: 200 });
      const fail = async (l: OpenAiLlm): Promise<ProviderError> => {
        try {
          await collect(l.stream({ messages: [], tools: [] }));
        } catch (err) {
          return err as ProviderError;
        }
        throw new Error('expected a failure');
      };
      const e429 = await fail(llm);
      assert.deepEqual([e429.code, e429.retryable, e429.details?.status], ['provider_status', true, 429]);
      const e400 = await fail(llm);
      assert.deepEqual([e400.code, e400.retryable], ['provider_status', false]);
      assert.equal((await fail(llm)).code, 'provider_bad_response');
      const t = await fail(llm);
      assert.deepEqual([t.code, t.retryable], ['provider_timeout', true]);
      assert.equal((await fail(new OpenAiLlm({ baseUrl: early.url, model: 'm' }))).code, 'provider_bad_response');
      const ctrl = new AbortController();
      ctrl.abort();
      const aborted = await collect(llm.stream({ messages: [], tools: [], signal: ctrl.signal })).catch(
        (e: ProviderError) => e,
      );
      assert.equal((aborted as ProviderError).code, 'provider_aborted');
    } finally {
      await srv.close();
      await early.close();
    }
  });

  test('the model follows the product tier; -with-ack shares its tier; unknown tiers use LLM_MODEL', () => {
    const cfg = { model: 'default-model', modelByProduct: { 'storm-base': 'big-model', spark: 'small-model' } };
    assert.equal(modelForProduct(cfg, 'storm-base-with-ack'), 'big-model');
    assert.equal(modelForProduct(cfg, 'spark'), 'small-model');
    assert.equal(modelForProduct(cfg, 'bolt'), 'default-model');
  });
});
