import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { asteriskPrompt } from './testing/speech-fixtures';
import { startAgentRig } from './testing/agent-test-rig';
import { startLoopbackServer } from './testing/loopback-server';
import type { AgentTool } from './tools/agent-tool';
import type { AgentAction } from './session-events';

const SECRET = 'whsec_0123456789abcdef0123456789abcdef0123456789ab';

function tool(name: string, url: string, method = 'POST'): AgentTool {
  return {
    type: 'function',
    function: {
      name,
      description: 'Find free appointment slots.',
      parameters: { type: 'object', properties: { date: { type: 'string' } }, required: ['date'] },
    },
    endpoint: { url, method, headers: { 'X-Api-Key': 'key-123' } },
  };
}

describe('Tools', () => {
  test('an inline tool calls its endpoint with signed, sorted-key JSON and the answer goes back to the model', async () => {
    const received: { method: string; url: string; headers: IncomingHttpHeaders; raw: Buffer }[] = [];
    const api = await startLoopbackServer((req, body, res) => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, raw: body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"available_slots":["9:00 AM","2:30 PM"]}');
    });
    const rig = await startAgentRig({
      config: { tools: [tool('search_appointments', `${api.url}/slots`)] },
      driver: { signingSecret: SECRET, callId: 'call-42' },
      llm: [
        {
          text: 'Let me look.',
          toolCalls: [
            { name: 'search_appointments', arguments: { zone: 'Europe/Paris', date: '2025-01-02', note: 'café' } },
          ],
        },
        'I have nine AM or two thirty PM.',
      ],
      stt: ['Do you have anything on January second?'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet(400);

      assert.equal(received.length, 1);
      const r = received[0]!;
      assert.equal(r.method, 'POST');
      assert.equal(r.url, '/slots');
      assert.equal(r.headers['x-api-key'], 'key-123');
      assert.equal(r.headers['x-thunderphone-call-id'], 'call-42');
      assert.equal(r.headers['content-type'], 'application/json');
      // The body is the arguments only, keys sorted, no whitespace, non-ASCII escaped.
      assert.equal(r.raw.toString('utf8'), '{"date":"2025-01-02","note":"caf\\u00e9","zone":"Europe/Paris"}');
      // Verified independently over the raw received bytes.
      const expected = createHmac('sha256', SECRET).update(r.raw).digest();
      const got = Buffer.from(String(r.headers['x-thunderphone-signature']), 'hex');
      assert.match(String(r.headers['x-thunderphone-signature']), /^[0-9a-f]{64}$/);
      assert.ok(got.length === expected.length && timingSafeEqual(got, expected), 'signature matches');

      // The model got the tool's answer and then spoke.
      const second = rig.llm.requests[1]!;
      const toolMsg = second.messages.find((m) => m.role === 'tool');
      assert.deepEqual(JSON.parse(String(toolMsg?.content)), { available_slots: ['9:00 AM', '2:30 PM'] });
      const tr = d.session.transcript();
      assert.deepEqual(
        tr.map((t) => t.role),
        ['user', 'assistant', 'tool_call', 'tool_response', 'assistant'],
      );
      assert.deepEqual(tr[2]!.content, {
        name: 'search_appointments',
        arguments: { zone: 'Europe/Paris', date: '2025-01-02', note: 'café' },
      });
      assert.equal(tr[2]!.content_type, 'application/json');
      assert.deepEqual(tr[3]!.content, { available_slots: ['9:00 AM', '2:30 PM'] });
      assert.equal(d.toolCalls.length, 1);
      assert.equal(d.toolCalls[0]!.name, 'search_appointments');
      assert.deepEqual(d.toolCalls[0]!.response, { available_slots: ['9:00 AM', '2:30 PM'] });
    } finally {
      await rig.close();
      await api.close();
    }
  });

  test('GET tools send the arguments in the query string; failing and slow endpoints become {"error"} for the model', async () => {
    const seen: string[] = [];
    const api = await startLoopbackServer(async (req, _body, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url!.startsWith('/broken')) res.writeHead(500).end('boom');
      else if (req.url!.startsWith('/slow')) await new Promise((r) => setTimeout(r, 2000)).then(() => res.end('{}'));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const rig = await startAgentRig({
      config: {
        tools: [
          tool('lookup', `${api.url}/lookup?src=agent`, 'GET'),
          tool('broken', `${api.url}/broken`),
          tool('slow', `${api.url}/slow`),
        ],
      },
      timings: { toolTimeoutMs: 200 },
      llm: [
        {
          toolCalls: [
            { name: 'lookup', arguments: { date: '2025-01-02', n: 2 } },
            { name: 'broken', arguments: { date: 'x' } },
            { name: 'slow', arguments: { date: 'y' } },
          ],
        },
        'Sorry, part of the system is down.',
      ],
      stt: ['Check it please.'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet(400);
      assert.ok(seen.includes('GET /lookup?src=agent&date=2025-01-02&n=2'), seen.join(', '));
      const tools = rig.llm.requests[1]!.messages.filter((m) => m.role === 'tool').map((m) =>
        JSON.parse(String(m.content)),
      );
      assert.deepEqual(tools[0], { ok: true });
      assert.match(tools[1].error, /HTTP 500/);
      assert.match(tools[2].error, /did not answer in time/);
      assert.equal(d.toolCalls.filter((t) => t.error).length, 2);
      assert.equal(d.ended, undefined, 'the call goes on');
    } finally {
      await rig.close();
      await api.close();
    }
  });

  test('end_call: the owner is asked to hang up only after the goodbye has been played', async () => {
    const rig = await startAgentRig({
      llm: [{ text: 'Thank you for calling. Goodbye!', toolCalls: [{ name: 'end_call', arguments: {} }] }],
      stt: ['That is all, bye.'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      let actionAt: number | undefined;
      d.session.on('action', (a) => a.type === 'end_call' && (actionAt = d.nowMs));
      await d.until(() => actionAt !== undefined, 10_000);
      const lastFrame = d.audio.at(-1)!.atMs;
      assert.ok(d.audio.length > 40, 'the goodbye was spoken');
      assert.ok(actionAt! >= lastFrame, 'hang-up requested after the last frame left');
      assert.deepEqual(
        d.actions.map((a) => a.type),
        ['end_call'],
      );
      assert.equal(d.ended, undefined, 'end_call is an action; the owner ends the call');
      assert.equal(
        d.session
          .transcript()
          .filter((t) => t.role === 'assistant')
          .at(-1)!.content,
        'Thank you for calling. Goodbye!',
      );
    } finally {
      await rig.close();
    }
  });

  test('transfer_call and send_dtmf go to the owner, and their results go back to the model', async () => {
    const rig = await startAgentRig({
      llm: [
        { toolCalls: [{ name: 'send_dtmf', arguments: { digits: '1 2#' } }] },
        { toolCalls: [{ name: 'transfer_call', arguments: { number: '+1 (415) 555-0100' } }] },
        'The line is busy, sorry.',
      ],
      stt: ['Press one two pound and then transfer me.'],
      driver: {
        onAction: (a: AgentAction) => {
          if (a.type === 'send_dtmf') a.resolve({ ok: true });
          if (a.type === 'transfer_call') a.resolve({ ok: false, error: 'busy (486)' });
        },
      },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet(400);
      assert.deepEqual(
        d.actions.map((a) =>
          a.type === 'send_dtmf' ? `dtmf:${a.digits}` : a.type === 'transfer_call' ? `transfer:${a.number}` : a.type,
        ),
        ['dtmf:12#', 'transfer:+14155550100'],
      );
      const tools = rig.llm.requests[2]!.messages.filter((m) => m.role === 'tool').map((m) =>
        JSON.parse(String(m.content)),
      );
      assert.deepEqual(tools, [{ digits: '12#', status: 'sent' }, { error: 'busy (486)' }]);
      assert.deepEqual(
        d.toolCalls.map((t) => [t.name, t.builtin]),
        [
          ['send_dtmf', true],
          ['transfer_call', true],
        ],
      );
    } finally {
      await rig.close();
    }
  });

  test('an invalid transfer number is refused without bothering the owner', async () => {
    const rig = await startAgentRig({
      llm: [{ toolCalls: [{ name: 'transfer_call', arguments: { number: 'reception' } }] }, 'I cannot transfer you.'],
      stt: ['Transfer me.'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet(400);
      assert.equal(d.actions.length, 0);
      assert.match(String(d.toolCalls[0]!.error), /E\.164/);
    } finally {
      await rig.close();
    }
  });

  test('wait_on_hold: silent through the hold music, then gives up after max_hold_seconds', async () => {
    const rig = await startAgentRig({
      config: { maxHoldSeconds: 5 },
      llm: [
        { toolCalls: [{ name: 'wait_on_hold', arguments: {} }] },
        { toolCalls: [{ name: 'wait_on_hold', arguments: {} }] },
      ],
      stt: ['Please hold.', '(music)'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.until(() => d.toolCalls.length > 0, 3000);
      const holdStart = d.toolCalls[0]!.startMs;
      // Hold "music": a real voice prompt playing over and over.
      while (!d.ended && d.nowMs - holdStart < 8000) await d.play(asteriskPrompt('vm-options').slice(0, 60));
      assert.equal(d.audio.length, 0, 'the agent never spoke on hold');
      assert.equal(d.interrupts.length, 0);
      assert.equal(d.ended?.reason, 'timeout');
      const heldMs = d.ended.atMs - holdStart;
      assert.ok(heldMs >= 5000 && heldMs < 6500, `gave up after ${heldMs} ms`);
      assert.deepEqual(d.toolCalls[0]!.response, { status: 'waiting', max_hold_seconds: 5 });
    } finally {
      await rig.close();
    }
  });
});
