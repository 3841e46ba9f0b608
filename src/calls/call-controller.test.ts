import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import type { Store } from '../store/db';
import type { AgentAction, CallLegPort, LegEnded, MediaPort, PcmFrame, TranscriptTurn } from './call-ports';
import { CallController } from './call-controller';
import { CallRepo } from './call-repo';
import { finalizeCall } from './finalize-call';
import { extendHold } from '../billing/balance-holds';
import { labelledAnswers } from './voicemail/testing/answer-recordings';
import { balanceOf, ledgerForCall, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';

/*
 * Orchestration of one call by the controller, with in-memory stand-ins for the SIP leg and the
 * agent session (the real ones are exercised end to end over sipp in test/e2e). What is checked
 * is what a user sees on the call row, the bill and the webhook.
 */

class InMemoryMedia extends EventEmitter implements MediaPort {
  readonly sent: PcmFrame[] = [];
  cleared = 0;
  sendAudio(pcm: PcmFrame): void {
    this.sent.push(pcm);
  }
  clearOutgoing(): void {
    this.cleared += 1;
  }
}

class InMemoryLeg extends EventEmitter implements CallLegPort {
  readonly media = new InMemoryMedia();
  hungUp = 0;
  transfers: string[] = [];
  transferOk = true;
  dtmf: string[] = [];
  hangUp(): void {
    this.hungUp += 1;
    this.emit('ended', { outcome: 'completed', byRemote: false } satisfies LegEnded);
  }
  async transfer(target: string): Promise<{ ok: boolean; sipStatus?: number }> {
    this.transfers.push(target);
    return this.transferOk ? { ok: true } : { ok: false, sipStatus: 603 };
  }
  sendDtmf(digits: string): void {
    this.dtmf.push(digits);
  }
}

class InMemoryAgent extends EventEmitter {
  heard = 0;
  digits: string[] = [];
  started = false;
  stopped = false;
  #onStart!: () => void;
  /** Resolves once the controller started the agent (the answer was processed). */
  readonly whenStarted = new Promise<void>((r) => (this.#onStart = r));
  async prewarm(): Promise<void> {}
  start(): void {
    this.started = true;
    this.#onStart();
  }
  pushAudio(): void {
    this.heard += 1;
  }
  pushDtmf(d: string): void {
    this.digits.push(d);
  }
  transcript(): TranscriptTurn[] {
    return [{ role: 'assistant', content_type: 'text/plain', content: 'Hi', start_ms: 0, end_ms: 500 }];
  }
  stop(): void {
    this.stopped = true;
  }
}

/** An agent that can leave a voicemail message; records when (in caller frames) it was asked to. */
class MessageAgent extends InMemoryAgent {
  messages: { text: string; atFrame: number; wasStarted: boolean }[] = [];
  framesSeen = 0;
  override pushAudio(): void {
    super.pushAudio();
    this.framesSeen += 1;
  }
  async leaveMessage(text: string): Promise<void> {
    this.messages.push({ text, atFrame: this.framesSeen, wasStarted: this.started });
  }
}

interface Ctx {
  store: Store;
  repo: CallRepo;
  emitter: RecordingEmitter;
  orgId: number;
}

function controllerFor(
  ctx: Ctx,
  callId: number,
  agent: InMemoryAgent,
  overrides: Partial<ConstructorParameters<typeof CallController>[0]> = {},
): CallController {
  return new CallController({
    callId,
    instance: 'inst',
    repo: ctx.repo,
    finalize: (input) =>
      finalizeCall(
        {
          db: ctx.store.db,
          clock: systemClock,
          rateCentsPerMinute: RATES,
          events: ctx.emitter,
        },
        input,
      ),
    agent,
    limits: { ringTimeoutMs: 5000, maxCallDurationMs: 60_000, mediaTimeoutMs: 30_000 },
    rateCentsPerMinute: 2,
    reserveMinutes: (minutes) => reserveFor(ctx, callId, minutes),
    clock: systemClock,
    log: silentLogger,
    hangUpGraceMs: 0,
    ...overrides,
  });
}

function reserveFor(ctx: Ctx, callId: number, minutes: number, orgId = ctx.orgId): Promise<boolean> {
  return extendHold(ctx.store.db, {
    orgId,
    callId,
    minutes,
    nowIso: systemClock.nowIso(),
    nowMs: systemClock.nowMs(),
  });
}

/** After the answer: silent frames until the media bridge is open (the agent hears them), so no frame is lost. */
async function untilMediaFlows(leg: InMemoryLeg, agent: InMemoryAgent): Promise<void> {
  while (agent.heard === 0) {
    leg.media.emit('audio', new Int16Array(160));
    await new Promise((r) => setImmediate(r));
  }
}

describeEachDialect<Ctx>(
  'call controller orchestration',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const orgId = await seedOrg(store, systemClock, 1000);
    return { store, repo: new CallRepo(store.db, dialect, systemClock), emitter: new RecordingEmitter(), orgId };
  },
  (c) => c.store.destroy(),
  (get) => {
    test('answer → audio both ways, barge-in clears playback, DTMF reaches the agent; remote hang-up completes it once', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent);
      c.attach(leg);
      leg.media.emit('audio', new Int16Array(160));
      assert.equal(agent.heard, 0, 'no audio flows before the answer');
      leg.emit('ringing');
      leg.emit('answered');
      await agent.whenStarted;
      assert.equal(agent.started, true);
      leg.media.emit('audio', new Int16Array(160));
      agent.emit('audio', new Int16Array(160));
      agent.emit('interrupt');
      leg.emit('dtmf', { digit: '5' });
      assert.equal(agent.heard, 1);
      assert.equal(leg.media.sent.length, 1);
      assert.equal(leg.media.cleared, 1);
      assert.deepEqual(agent.digits, ['5']);
      leg.emit('ended', { outcome: 'completed', byRemote: true } satisfies LegEnded);
      leg.emit('ended', { outcome: 'completed', byRemote: true } satisfies LegEnded);
      const result = await c.done;
      assert.equal(result?.call?.status, 'completed');
      assert.equal(result?.call?.end_reason, 'caller_hangup');
      assert.equal(leg.hungUp, 0, 'we do not hang up a leg the far end already ended');
      assert.equal(agent.stopped, true);
      assert.equal((await ledgerForCall(ctx.store.db, call.id)).length, 1);
      assert.equal(
        ctx.emitter.events.filter((e) => e.type === 'telephony.complete' && e.data.call_id === call.id).length,
        1,
      );
    });

    test('agent transfer: a refused REFER is reported back and the call goes on; an accepted one ends it with transfer', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent);
      c.attach(leg);
      leg.emit('answered');
      await agent.whenStarted;
      leg.transferOk = false;
      const first = await new Promise<{ ok: boolean; error?: string }>((resolve) =>
        agent.emit('action', { type: 'transfer_call', number: '+15550000001', resolve } satisfies AgentAction),
      );
      assert.deepEqual(first, { ok: false, error: 'transfer failed (SIP 603)' });
      assert.equal((await ctx.repo.get(call.id))?.status, 'in_progress');
      const dtmf = await new Promise<{ ok: boolean }>((resolve) =>
        agent.emit('action', { type: 'send_dtmf', digits: '12#', resolve } satisfies AgentAction),
      );
      assert.equal(dtmf.ok, true);
      assert.deepEqual(leg.dtmf, ['12#']);
      leg.transferOk = true;
      agent.emit('action', { type: 'transfer_call', number: '+15550000002', resolve: () => {} } satisfies AgentAction);
      const result = await c.done;
      assert.equal(result?.call?.end_reason, 'transfer');
      assert.equal(result?.call?.transfer_number, '+15550000002');
      assert.equal(leg.hungUp, 1);
    });

    test('agent end_call hangs up and ends agent_end; a busy leg fails without charge', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent);
      c.attach(leg);
      leg.emit('answered');
      await agent.whenStarted;
      agent.emit('action', { type: 'end_call', reason: 'agent_end' } satisfies AgentAction);
      const result = await c.done;
      assert.equal(result?.call?.end_reason, 'agent_end');
      assert.equal(leg.hungUp, 1);

      const busy = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(busy.id, 'inst', 10, RATES);
      const busyLeg = new InMemoryLeg();
      const c2 = controllerFor(ctx, busy.id, new InMemoryAgent());
      c2.attach(busyLeg);
      busyLeg.emit('ended', { outcome: 'busy', sipStatus: 486, byRemote: true } satisfies LegEnded);
      const r2 = await c2.done;
      assert.equal(r2?.call?.status, 'failed');
      assert.equal(r2?.call?.end_reason, 'busy');
      assert.equal(r2?.call?.billing_total_cents, 0);
    });

    test('watchdogs: ring backstop cancels an unanswered call; media silence and the max duration end a connected one with timeout', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const leg = new InMemoryLeg();
      leg.hangUp = function () {
        this.hungUp += 1;
      };
      const c = controllerFor(ctx, call.id, new InMemoryAgent(), {
        limits: { ringTimeoutMs: -4950, maxCallDurationMs: 60_000, mediaTimeoutMs: 30_000 },
      });
      c.attach(leg);
      const r = await c.done;
      assert.equal(r?.call?.end_reason, 'no_answer');
      assert.equal(r?.call?.status, 'failed');
      assert.equal(leg.hungUp, 1, 'the INVITE is cancelled');

      const call2 = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call2.id, 'inst', 10, RATES);
      const leg2 = new InMemoryLeg();
      const c2 = controllerFor(ctx, call2.id, new InMemoryAgent(), {
        limits: { ringTimeoutMs: 5000, maxCallDurationMs: 60_000, mediaTimeoutMs: 50 },
      });
      c2.attach(leg2);
      leg2.emit('answered');
      const r2 = await c2.done;
      assert.equal(r2?.call?.end_reason, 'timeout');
      assert.equal(r2?.call?.status, 'completed');

      const call3 = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call3.id, 'inst', 10, RATES);
      const leg3 = new InMemoryLeg();
      const c3 = controllerFor(ctx, call3.id, new InMemoryAgent(), {
        limits: { ringTimeoutMs: 5000, maxCallDurationMs: 80, mediaTimeoutMs: 30_000 },
      });
      c3.attach(leg3);
      leg3.emit('answered');
      const talk = setInterval(() => leg3.media.emit('audio', new Int16Array(160)), 10);
      const r3 = await c3.done;
      clearInterval(talk);
      assert.equal(r3?.call?.end_reason, 'timeout', 'MAX_CALL_DURATION_MS caps a call that is still talking');
      assert.equal(leg3.hungUp, 1);
    });

    test('balance running out mid-call ends it with insufficient_balance and the balance stays ≥ 0', async () => {
      const ctx = get();
      const poorOrg = await seedOrg(ctx.store, systemClock, 3);
      const call = await seedOutboundCall(ctx.store.db, systemClock, poorOrg);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, new InMemoryAgent(), {
        reserveMinutes: (minutes) => reserveFor(ctx, call.id, minutes, poorOrg),
        balanceMinuteMs: 200,
      });
      c.attach(leg);
      leg.emit('answered');
      const r = await c.done;
      assert.equal(r?.call?.end_reason, 'insufficient_balance');
      assert.equal(r?.call?.billing_total_cents, 2);
      assert.equal(await balanceOf(ctx.store.db, poorOrg), 1);
    });
    test('voicemail hang_up: a real voicemail greeting ends the call with voicemail, billed as answered; the agent never speaks', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent, { voicemail: { action: 'hang_up', holdGreetingMs: 4000 } });
      c.attach(leg);
      leg.emit('answered');
      await untilMediaFlows(leg, agent);
      const greeting = labelledAnswers().find((a) => a.name.startsWith('nobody available'))!;
      for (const f of greeting.frames) {
        await Promise.resolve();
        if (leg.hungUp > 0) break;
        leg.media.emit('audio', f);
      }
      const r = await c.done;
      assert.equal(agent.started, false, 'the agent waited for the decision and never spoke to the machine');
      assert.equal(leg.hungUp, 1);
      assert.equal(r?.call?.end_reason, 'voicemail');
      assert.equal(r?.call?.status, 'completed');
      assert.equal(r?.call?.answered_by, 'machine');
      assert.ok((r?.call?.answered_by_ms ?? 0) > 0);
      assert.equal(r?.call?.billable_minutes, 1);
      assert.equal((await ledgerForCall(ctx.store.db, call.id)).length, 1);
      const complete = ctx.emitter.events.find((e) => e.type === 'telephony.complete' && e.data.call_id === call.id);
      assert.equal(complete?.data.end_reason, 'voicemail');
      assert.equal(complete?.data.answered_by, 'machine');
    });

    test('voicemail hang_up: a person saying "hello" is decided human and the agent starts; the call goes on', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent, { voicemail: { action: 'hang_up', holdGreetingMs: 2500 } });
      c.attach(leg);
      leg.emit('answered');
      await untilMediaFlows(leg, agent);
      const hello = labelledAnswers().find((a) => a.name === 'hello (200 ms)')!;
      const frames = hello.frames.slice(0, 150);
      for (const [i, f] of frames.entries()) {
        leg.media.emit('audio', f);
        await Promise.resolve();
        if (i === 20) assert.equal(agent.started, false, 'held while undecided');
      }
      await agent.whenStarted;
      assert.equal(leg.hungUp, 0);
      leg.emit('ended', { outcome: 'completed', byRemote: true } satisfies LegEnded);
      const r = await c.done;
      assert.equal(r?.call?.end_reason, 'caller_hangup');
      assert.equal(r?.call?.answered_by, 'human');
      assert.ok((r?.call?.answered_by_ms ?? 0) <= hello.speechEndMs + 1000);
      assert.equal(r?.call?.answered_by_guess_ms, r?.call?.answered_by_ms, 'the agent spoke on the confirmed guess');
    });

    test('voicemail hang_up: a machine that pauses after "hello," is guessed a person (the agent starts), then decided machine and hung up with voicemail', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent, { voicemail: { action: 'hang_up', holdGreetingMs: 4000 } });
      c.attach(leg);
      leg.emit('answered');
      await untilMediaFlows(leg, agent);
      const greeting = labelledAnswers().find((a) => a.name === 'hello, nobody is available (300 ms)')!;
      for (const f of greeting.frames) {
        await Promise.resolve();
        if (leg.hungUp > 0) break;
        leg.media.emit('audio', f);
      }
      const r = await c.done;
      assert.equal(agent.started, true, 'the guess let the agent speak before the decision');
      assert.equal(leg.hungUp, 1);
      assert.equal(r?.call?.end_reason, 'voicemail');
      assert.equal(r?.call?.answered_by, 'machine');
      assert.ok((r?.call?.answered_by_ms ?? 0) > 2000, 'decided on the greeting, not at the guess');
      assert.ok((r?.call?.answered_by_guess_ms ?? Infinity) < 1500, 'the machine heard the agent begin on the guess');
    });

    test('voicemail leave_message: when the greeting hold runs out before the decision, the machine still gets the message after its beep', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new MessageAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent, {
        voicemail: { action: 'leave_message', message: 'Please call Acme back.', holdGreetingMs: 300 },
      });
      c.attach(leg);
      leg.emit('answered');
      await untilMediaFlows(leg, agent);
      const greeting = labelledAnswers().find((a) => a.name === 'leave your message after the tone (300 ms)')!;
      const before = agent.framesSeen;
      for (const f of greeting.frames) {
        if (leg.hungUp > 0) break;
        leg.media.emit('audio', f);
        await new Promise((r) => setImmediate(r));
      }
      const r = await c.done;
      assert.equal(agent.messages.length, 1, 'the message was left once');
      const left = agent.messages[0]!;
      assert.equal(left.text, 'Please call Acme back.');
      assert.equal(left.wasStarted, true, 'the hold had let the agent start before the decision');
      assert.ok(
        (left.atFrame - before) * 20 > greeting.speechEndMs,
        `the message came after the greeting (${(left.atFrame - before) * 20} ms > ${greeting.speechEndMs} ms)`,
      );
      assert.deepEqual(
        [r?.call?.status, r?.call?.end_reason, r?.call?.answered_by],
        ['completed', 'voicemail', 'machine'],
      );
      assert.equal(leg.hungUp, 1);
    });

    test('voicemail continue: the agent starts at once and a machine does not end the call (answered_by is still reported)', async () => {
      const ctx = get();
      const call = await seedOutboundCall(ctx.store.db, systemClock, ctx.orgId);
      await ctx.repo.admit(call.id, 'inst', 10, RATES);
      const agent = new InMemoryAgent();
      const leg = new InMemoryLeg();
      const c = controllerFor(ctx, call.id, agent, { voicemail: { action: 'continue', holdGreetingMs: 2500 } });
      c.attach(leg);
      leg.emit('answered');
      await agent.whenStarted;
      for (const f of labelledAnswers().find((a) => a.name.startsWith('leave your message'))!.frames)
        leg.media.emit('audio', f);
      assert.equal(leg.hungUp, 0);
      leg.emit('ended', { outcome: 'completed', byRemote: true } satisfies LegEnded);
      const r = await c.done;
      assert.equal(r?.call?.end_reason, 'caller_hangup');
      assert.equal(r?.call?.answered_by, 'machine');
    });
  },
);
