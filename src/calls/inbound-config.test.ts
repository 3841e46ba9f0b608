import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../test/support/api-harness';
import { createAgent } from '../agents/agent-service';
import { systemClock } from '../shared/clock';
import { inboundConfigResolver } from './inbound-config';
import { conversationFor } from './conversation-config';
import type { CallRow } from './call-repo';

describeApi('inbound agent choice without a webhook', (h) => {
  test("no webhook endpoint → the number's inbound agent, with its caller_first speak order and hold time", async () => {
    const { db } = h().deps.store;
    const org = await h().createOrg({ balanceCents: 100 });
    const agent = await createAgent(db, systemClock, org.id, {
      name: 'Night desk',
      prompt: 'You answer at night.',
      voice: 'en-US-James1',
      product: 'bolt',
      thinking_level: null,
      background_track: null,
      acknowledgement_prompt_mode: 'auto',
      acknowledgement_prompt: '',
      tools: [],
      inbound_speak_order: 'caller_first',
      outbound_speak_order: 'agent_first',
      max_hold_seconds: 120,
      widget_enabled: true,
      primary_language: 'en-US',
      additional_languages: [],
      integration_ids: [],
    });
    const now = systemClock.nowIso();
    const number = await db
      .insertInto('phone_numbers')
      .values({
        org_id: org.id,
        number: `+1555${Date.now().toString().slice(-7)}`,
        source: 'demo',
        status: 'active',
        inbound_agent_id: agent.id,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const resolve = inboundConfigResolver(db, h().deps.webhooks);
    const resolved = await resolve({
      orgId: org.id,
      callId: 1,
      fromNumber: '+15550001111',
      toNumber: number.number,
      number,
    });
    assert.ok(resolved);
    assert.equal(resolved.agentId, agent.id);
    assert.equal(resolved.product, 'bolt');
    assert.equal(resolved.config.prompt, 'You answer at night.');
    assert.equal(resolved.config.speak_order, 'caller_first');
    assert.equal(resolved.config.name, 'Night desk');

    const conv = conversationFor(
      {
        direction: 'inbound',
        config: JSON.stringify(resolved.config),
        variables: '{}',
        max_hold_seconds: null,
        product: 'bolt',
        voice: 'en-US-James1',
      } as CallRow,
      h().deps.voices,
    );
    assert.equal(conv.config.speakOrder, 'caller_first');
    assert.equal(conv.config.maxHoldSeconds, 120);
    assert.equal(conv.config.product, 'bolt');
    assert.equal(conv.config.prompt, 'You answer at night.');

    const orphan = await db
      .insertInto('phone_numbers')
      .values({
        org_id: org.id,
        number: `+1556${Date.now().toString().slice(-7)}`,
        source: 'demo',
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    assert.equal(
      await resolve({ orgId: org.id, callId: 2, fromNumber: '+15550001111', toNumber: orphan.number, number: orphan }),
      null,
      'nobody to answer',
    );
  });
});

describeApi('inbound barge_in', (h) => {
  test("a call.incoming answer's barge_in wins over the inbound agent's; without one the agent's applies", async () => {
    const { db } = h().deps.store;
    const org = await h().createOrg({ balanceCents: 100 });
    const agent = await createAgent(db, systemClock, org.id, {
      name: 'Desk',
      prompt: 'You answer.',
      voice: 'en-US-James1',
      product: 'spark',
      thinking_level: null,
      background_track: null,
      acknowledgement_prompt_mode: 'auto',
      acknowledgement_prompt: '',
      tools: [],
      inbound_speak_order: 'agent_first',
      outbound_speak_order: 'agent_first',
      max_hold_seconds: null,
      widget_enabled: false,
      primary_language: 'en-US',
      additional_languages: [],
      integration_ids: [],
      barge_in: { min_words: 4 },
    });
    const now = systemClock.nowIso();
    const number = await db
      .insertInto('phone_numbers')
      .values({
        org_id: org.id,
        number: `+1557${Date.now().toString().slice(-7)}`,
        source: 'demo',
        status: 'active',
        inbound_agent_id: agent.id,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const answering = (config: object) =>
      inboundConfigResolver(db, {
        resolveIncoming: () => Promise.resolve({ kind: 'config', config }),
        toolSigningSecret: () => Promise.resolve(null),
      });
    const ask = (config: object) =>
      answering(config)({ orgId: org.id, callId: 1, fromNumber: '+15550001111', toNumber: number.number, number });
    const own = await ask({ prompt: 'Webhook.', voice: 'en-US-James1', barge_in: { min_speech_ms: 900 } });
    assert.deepEqual(own?.config.barge_in, { min_speech_ms: 900 });
    const none = await ask({ prompt: 'Webhook.', voice: 'en-US-James1', barge_in: null });
    assert.deepEqual(none?.config.barge_in, { min_words: 4 });
  });
});
