import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { loadConfig } from '../config/load';
import type { Config } from '../config/config';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { SecretBox } from '../shared/secret-box';
import { DbJobQueue } from '../jobs/db-job-queue';
import type { Store } from '../store/db';
import { CallRuntime, type CallParts } from './call-runtime';
import { CallRepo } from './call-repo';
import { handleInboundOffer, normalizeNumber, type InboundOfferPort } from './inbound-call';
import { findTrunkForNumber, dialTarget } from './trunk-lookup';
import { finalizeCall, type FinalizeInput } from './finalize-call';
import { balanceOf, ledgerForCall, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';
import { CidrList } from '../shared/cidr';
import { buildDigestAuthorization, parseDigestChallenge, type DigestChallenge } from '../telephony/sip/digest';
import type { SourcePolicyDeps } from './inbound-source-policy';
import { captureLog } from '../../test/support/log-capture';

/** Parts that refuse to be used: these tests prove the call never reaches the SIP trunk. */
const refusingParts: CallParts = {
  dial: () => Promise.reject(new Error('must not dial')),
  createAgent: () => Promise.reject(new Error('must not build an agent')),
  createRecorder: () => undefined,
  onIncoming: () => undefined,
  close: async () => undefined,
};

interface Ctx {
  store: Store;
  clock: FakeClock;
  config: Config;
  secretBox: SecretBox;
  runtime: CallRuntime;
  emitter: RecordingEmitter;
}

async function seedTrunkNumber(
  ctx: Ctx,
  orgId: number,
  number: string,
  opts: { status?: string; withTrunk?: boolean; sipConfig?: Record<string, unknown> } = {},
): Promise<number> {
  const now = ctx.clock.nowIso();
  let voipId: number | null = null;
  if (opts.withTrunk !== false) {
    const v = await ctx.store.db
      .insertInto('voip_connections')
      .values({
        org_id: orgId,
        name: 'Trunk',
        provider: 'manual',
        setup_method: 'manual',
        status: 'connected',
        inferred_name: 0,
        sip_config: JSON.stringify(opts.sipConfig ?? { host: '127.0.0.1', port: 5099, transport: 'tcp' }),
        credentials_enc: ctx.secretBox.sealJson({ username: 'alice', password: 'secret' }),
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    voipId = v.id;
  }
  const n = await ctx.store.db
    .insertInto('phone_numbers')
    .values({
      org_id: orgId,
      number,
      source: opts.withTrunk === false ? 'demo' : 'voip',
      status: opts.status ?? 'active',
      voip_connection_id: voipId,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return n.id;
}

type Rejection = { status: number; reason: string; headers?: Array<[string, string]> };

function offerTo(
  user: string,
  sourceAddress = '127.0.0.1',
  authorization: string | null = null,
): InboundOfferPort & { rejected: Rejection[] } {
  const rejected: Rejection[] = [];
  return {
    requestUser: user,
    toUser: user,
    fromUser: '+15557770000',
    sipCallId: 'abc@host',
    sourceAddress,
    sourceTransport: 'udp',
    authorization,
    rejected,
    accept: () => Promise.reject(new Error('must not answer')),
    reject: (status: number, reason: string, headers?: Array<[string, string]>) =>
      void rejected.push(headers ? { status, reason, headers } : { status, reason }),
  };
}

/** Demo numbers from loopback (the default SIP_DEMO_ALLOWED_SOURCES); trunk hosts resolve to 127.0.0.1. */
function loopbackSources(ctx: Ctx, resolved: Record<string, string[]> = {}): SourcePolicyDeps {
  return {
    db: ctx.store.db,
    resolveHost: async (host) => resolved[host] ?? (host === '127.0.0.1' ? ['127.0.0.1'] : []),
    demoSources: CidrList.of(ctx.config.sip.demoAllowedSources),
    openCredentials: (sealed) => ctx.secretBox.openJson<Record<string, unknown>>(sealed),
  };
}

describeEachDialect<Ctx>(
  'dial job admission and inbound screening',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const clock = new FakeClock();
    const config = loadConfig(
      {
        LOG_LEVEL: 'silent',
        RATE_CENTS_PER_MINUTE: 'spark=2,bolt=5,storm=9',
        LLM_BASE_URL: 'http://127.0.0.1:9/v1',
        LLM_MODEL: 'unused-model',
        STT_BASE_URL: 'http://127.0.0.1:9/v1',
      },
      { persistSecretKey: false },
    );
    const secretBox = new SecretBox(config.secretKey);
    const queue = new DbJobQueue(store, clock, silentLogger);
    const emitter = new RecordingEmitter();
    await seedOrg(store, clock, 0);
    const runtime = new CallRuntime({
      config,
      store,
      queue,
      clock,
      log: silentLogger,
      secretBox,
      events: emitter,
      parts: refusingParts,
      instance: 'test-instance',
      inboundConfig: async () => null,
    });
    return { store, clock, config, secretBox, runtime, emitter };
  },
  (c) => c.store.destroy(),
  (get) => {
    test('the trunk of a number: sip_config and decrypted credentials; the dial target keeps the +', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 100);
      await seedTrunkNumber(ctx, orgId, '+15551110001');
      const found = await findTrunkForNumber(ctx.store.db, ctx.secretBox, orgId, '+15551110001');
      assert.equal(found.kind, 'found');
      if (found.kind !== 'found') return;
      assert.deepEqual(found.trunk.credentials, { username: 'alice', password: 'secret' });
      assert.equal(found.trunk.transport, 'tcp');
      assert.equal(dialTarget('+15552223333', found.trunk), 'sip:+15552223333@127.0.0.1:5099');
      const other = await seedOrg(ctx.store, ctx.clock, 100);
      assert.equal(
        (await findTrunkForNumber(ctx.store.db, ctx.secretBox, other, '+15551110001')).kind,
        'missing',
        "another org's number is not usable",
      );
    });

    test('a call from a number without a trunk fails with provider_error and costs nothing', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 100);
      const call = await seedOutboundCall(ctx.store.db, ctx.clock, orgId, { from_number: '+15550009999' });
      await ctx.runtime.dial(call.id);
      const row = await ctx.runtime.repo.get(call.id);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.end_reason, 'provider_error');
      assert.equal(await balanceOf(ctx.store.db, orgId), 100);
      assert.ok(
        ctx.emitter.events.some(
          (e) => e.type === 'telephony.complete' && e.data.call_id === call.id && e.data.status === 'failed',
        ),
      );
    });

    test('an org whose balance does not pay one minute is not dialed: failed, insufficient_balance', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 1);
      await seedTrunkNumber(ctx, orgId, '+15551110002');
      const call = await seedOutboundCall(ctx.store.db, ctx.clock, orgId, { from_number: '+15551110002' });
      await ctx.runtime.dial(call.id);
      const row = await ctx.runtime.repo.get(call.id);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.end_reason, 'insufficient_balance');
      assert.equal((await ledgerForCall(ctx.store.db, call.id)).length, 0);
    });

    test('over the org limit the dial job puts the call back in the queue instead of failing it', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 100, 1);
      await seedTrunkNumber(ctx, orgId, '+15551110003');
      const busy = await seedOutboundCall(ctx.store.db, ctx.clock, orgId, { from_number: '+15551110003' });
      await new CallRepo(ctx.store.db, ctx.store.dialect, ctx.clock).admit(
        busy.id,
        'other-live-instance',
        10,
        ctx.config.rateCentsPerMinute,
      );
      const waiting = await seedOutboundCall(ctx.store.db, ctx.clock, orgId, { from_number: '+15551110003' });
      await ctx.runtime.dial(waiting.id);
      const row = await ctx.runtime.repo.get(waiting.id);
      assert.equal(row?.status, 'in_progress');
      assert.equal(row?.phase, null);
      const jobs = await ctx.store.db.selectFrom('jobs').selectAll().where('queue', '=', 'calls.dial').execute();
      assert.ok(
        jobs.some((j) => JSON.parse(j.payload).callId === waiting.id && j.run_at > ctx.clock.nowIso()),
        'retried later',
      );
    });

    test('inbound: unknown number → 404, org at balance 0 → 403 with a reason, no call row', async () => {
      const ctx = get();
      const broke = await seedOrg(ctx.store, ctx.clock, 0);
      await seedTrunkNumber(ctx, broke, '+15553330001', { withTrunk: false });
      await seedTrunkNumber(ctx, broke, '+15553330002', { withTrunk: false, status: 'released' });
      const deps = {
        db: ctx.store.db,
        repo: ctx.runtime.repo,
        config: ctx.config,
        log: silentLogger,
        instance: 'test-instance',
        sources: loopbackSources(ctx),
        digest: { key: ctx.config.secretKey, nowMs: () => ctx.clock.nowMs() },
        resolveConfig: async () => null,
        finalize: () => Promise.reject(new Error('must not finalize')),
        createAgent: () => Promise.reject(new Error('must not build an agent')),
        run: () => Promise.reject(new Error('must not run')),
      };
      const before = await ctx.store.db.selectFrom('calls').select('id').execute();
      const unknown = offerTo('+19999999999');
      await handleInboundOffer(unknown, deps);
      assert.deepEqual(unknown.rejected, [{ status: 404, reason: 'Not Found' }]);
      const released = offerTo('15553330002');
      await handleInboundOffer(released, deps);
      assert.equal(released.rejected[0]?.status, 404);
      const poor = offerTo('15553330001');
      await handleInboundOffer(poor, deps);
      assert.equal(poor.rejected[0]?.status, 403);
      assert.match(poor.rejected[0]?.reason ?? '', /balance/i);
      const after = await ctx.store.db.selectFrom('calls').select('id').execute();
      assert.equal(after.length, before.length);
    });

    test('inbound: only the trunk (resolved host + inbound_allowed_addresses) and demo sources may call; others 403, unbilled', async () => {
      const ctx = get();
      // Balance 0: an admitted source reaches the balance check (403 "Insufficient Balance"), a refused one never does.
      const orgId = await seedOrg(ctx.store, ctx.clock, 0);
      await seedTrunkNumber(ctx, orgId, '+15553340001', {
        sipConfig: {
          host: 'trunk.example.net',
          port: 5060,
          transport: 'udp',
          inbound_allowed_addresses: ['10.1.0.0/16', '2001:db8::/32'],
        },
      });
      await seedTrunkNumber(ctx, orgId, '+15553340002', { withTrunk: false });
      const logs = captureLog('info');
      const deps = {
        db: ctx.store.db,
        repo: ctx.runtime.repo,
        config: ctx.config,
        log: logs.log,
        instance: 'test-instance',
        sources: loopbackSources(ctx, { 'trunk.example.net': ['127.0.0.1', '::1'] }),
        digest: { key: ctx.config.secretKey, nowMs: () => ctx.clock.nowMs() },
        resolveConfig: () => Promise.reject(new Error('must not ask the webhook')),
        finalize: () => Promise.reject(new Error('must not finalize')),
        createAgent: () => Promise.reject(new Error('must not build an agent')),
        run: () => Promise.reject(new Error('must not run')),
      };
      const before = await ctx.store.db.selectFrom('calls').select('id').execute();
      const cases: [string, string, string][] = [
        ['+15553340001', '127.0.0.1', 'Insufficient Balance'], // the trunk host's address
        ['+15553340001', '::ffff:127.0.0.1', 'Insufficient Balance'], // the same over a dual-stack socket
        ['+15553340001', '::1', 'Insufficient Balance'],
        ['+15553340001', '10.1.200.3', 'Insufficient Balance'], // inbound_allowed_addresses
        ['+15553340001', '2001:db8:ffff::9', 'Insufficient Balance'],
        ['+15553340001', '127.0.0.2', 'Forbidden'],
        ['+15553340001', '10.2.0.1', 'Forbidden'],
        ['+15553340001', '2001:db9::1', 'Forbidden'],
        ['+15553340002', '127.0.0.9', 'Insufficient Balance'], // demo number, loopback by default
        ['+15553340002', '192.0.2.10', 'Forbidden'],
      ];
      for (const [to, source, reason] of cases) {
        const offer = offerTo(to, source);
        await handleInboundOffer(offer, deps);
        assert.deepEqual(offer.rejected, [{ status: 403, reason }], `${to} from ${source}`);
      }
      const after = await ctx.store.db.selectFrom('calls').select('id').execute();
      assert.equal(after.length, before.length, 'no call row for any of them');
      const refused = logs.withMessage('inbound INVITE refused: source not allowed');
      assert.deepEqual(
        refused.map((l) => l.source),
        ['udp:127.0.0.2', 'udp:10.2.0.1', 'udp:2001:db9::1', 'udp:192.0.2.10'],
      );
      // A deleted connection takes no calls, even from its own trunk.
      await ctx.store.db
        .updateTable('voip_connections')
        .set({ deleted_at: ctx.clock.nowIso() })
        .where('org_id', '=', orgId)
        .execute();
      const orphan = offerTo('+15553340001', '127.0.0.1');
      await handleInboundOffer(orphan, deps);
      assert.deepEqual(orphan.rejected, [{ status: 403, reason: 'Forbidden' }]);
    });

    test('inbound digest (sip_config.inbound_auth "digest"): 401 challenge, then the connection credentials; stale and forged nonces re-challenged', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 0); // authenticated → reaches the balance check
      await seedTrunkNumber(ctx, orgId, '+15553350001', {
        sipConfig: { host: '127.0.0.1', port: 5060, transport: 'udp', inbound_auth: 'digest' },
      });
      const logs = captureLog('info');
      const digest = { key: ctx.config.secretKey, nowMs: () => ctx.clock.nowMs() };
      const deps = {
        db: ctx.store.db,
        repo: ctx.runtime.repo,
        config: ctx.config,
        log: logs.log,
        instance: 'test-instance',
        sources: loopbackSources(ctx),
        digest,
        resolveConfig: () => Promise.reject(new Error('must not ask the webhook')),
        finalize: () => Promise.reject(new Error('must not finalize')),
        createAgent: () => Promise.reject(new Error('must not build an agent')),
        run: () => Promise.reject(new Error('must not run')),
      };
      const before = await ctx.store.db.selectFrom('calls').select('id').execute();
      const uri = 'sip:+15553350001@127.0.0.1:5060';
      const challengeOf = (offer: { rejected: Rejection[] }) => {
        const r = offer.rejected[0];
        assert.equal(r?.status, 401);
        const header = r?.headers?.find(([n]) => n === 'WWW-Authenticate')?.[1] ?? '';
        const ch = parseDigestChallenge(header);
        assert.ok(ch, header);
        assert.equal(ch.realm, 'thunderphone');
        assert.equal(ch.qop, 'auth');
        return { ch, header };
      };
      const answer = (ch: DigestChallenge, password: string) =>
        buildDigestAuthorization(ch, { username: 'alice', password }, 'INVITE', uri, 'cn0nce');

      const first = offerTo('+15553350001');
      await handleInboundOffer(first, deps);
      const { ch } = challengeOf(first);
      const good = offerTo('+15553350001', '127.0.0.1', answer(ch, 'secret'));
      await handleInboundOffer(good, deps);
      assert.deepEqual(good.rejected, [{ status: 403, reason: 'Insufficient Balance' }], 'authenticated');
      const wrong = offerTo('+15553350001', '127.0.0.1', answer(ch, 'guess'));
      await handleInboundOffer(wrong, deps);
      challengeOf(wrong);
      assert.equal(logs.withMessage('inbound INVITE digest authentication failed').length, 1);
      assert.ok(!JSON.stringify(logs.lines()).includes('secret'), 'no credentials in the logs');
      const forged = offerTo(
        '+15553350001',
        '127.0.0.1',
        answer({ ...ch, nonce: `${ctx.clock.nowMs().toString(36)}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` }, 'secret'),
      );
      await handleInboundOffer(forged, deps);
      challengeOf(forged);
      ctx.clock.advance(6 * 60_000);
      const late = offerTo('+15553350001', '127.0.0.1', answer(ch, 'secret'));
      await handleInboundOffer(late, deps);
      assert.match(challengeOf(late).header, /stale=true/);
      // The address check still applies to an authenticated INVITE.
      const elsewhere = offerTo('+15553350001', '127.0.0.2', answer(ch, 'secret'));
      await handleInboundOffer(elsewhere, deps);
      assert.deepEqual(elsewhere.rejected, [{ status: 403, reason: 'Forbidden' }]);
      const after = await ctx.store.db.selectFrom('calls').select('id').execute();
      assert.equal(after.length, before.length, 'no call row for any of them');
    });

    test('inbound on a server without LLM_BASE_URL/STT_BASE_URL → 503 at once, no call row', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 500);
      await seedTrunkNumber(ctx, orgId, '+15553330009', { withTrunk: false });
      const unconfigured = loadConfig({ LOG_LEVEL: 'silent' }, { persistSecretKey: false });
      const before = await ctx.store.db.selectFrom('calls').select('id').execute();
      const offer = offerTo('+15553330009');
      await handleInboundOffer(offer, {
        db: ctx.store.db,
        repo: ctx.runtime.repo,
        config: unconfigured,
        log: silentLogger,
        instance: 'test-instance',
        sources: loopbackSources(ctx),
        digest: { key: ctx.config.secretKey, nowMs: () => ctx.clock.nowMs() },
        resolveConfig: () => Promise.reject(new Error('must not ask the webhook')),
        finalize: () => Promise.reject(new Error('must not finalize')),
        createAgent: () => Promise.reject(new Error('must not build an agent')),
        run: () => Promise.reject(new Error('must not run')),
      });
      assert.deepEqual(offer.rejected, [{ status: 503, reason: 'Voice Agent Not Configured' }]);
      assert.equal((await ctx.store.db.selectFrom('calls').select('id').execute()).length, before.length);
    });

    test('inbound: no agent for the number → the INVITE is refused and the call is failed, not billed', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 100);
      await seedTrunkNumber(ctx, orgId, '+15553330003', { withTrunk: false });
      const offer = offerTo('+15553330003');
      await handleInboundOffer(offer, {
        db: ctx.store.db,
        repo: ctx.runtime.repo,
        config: ctx.config,
        log: silentLogger,
        instance: 'test-instance',
        sources: loopbackSources(ctx),
        digest: { key: ctx.config.secretKey, nowMs: () => ctx.clock.nowMs() },
        resolveConfig: async () => null,
        finalize: (input) =>
          import('./finalize-call').then((m) =>
            m.finalizeCall(
              {
                db: ctx.store.db,
                clock: ctx.clock,
                rateCentsPerMinute: ctx.config.rateCentsPerMinute,
                events: ctx.emitter,
              },
              input,
            ),
          ),
        createAgent: () => Promise.reject(new Error('must not build an agent')),
        run: () => Promise.reject(new Error('must not run')),
      });
      assert.equal(offer.rejected[0]?.status, 480);
      const call = await ctx.store.db
        .selectFrom('calls')
        .selectAll()
        .where('to_number', '=', '+15553330003')
        .executeTakeFirstOrThrow();
      assert.equal(call.direction, 'inbound');
      assert.equal(call.status, 'failed');
      assert.equal(call.billing_total_cents, 0);
      assert.equal(await balanceOf(ctx.store.db, orgId), 100);
    });

    test('inbound: a balance all held by running calls → 403 before any call row; one that does not pay the product → 403, not billed', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 5);
      await seedTrunkNumber(ctx, orgId, '+15553330004', { withTrunk: false });
      const finalizeDeps = {
        db: ctx.store.db,
        clock: ctx.clock,
        rateCentsPerMinute: ctx.config.rateCentsPerMinute,
        events: ctx.emitter,
      };
      const deps = (product: string) => ({
        db: ctx.store.db,
        repo: ctx.runtime.repo,
        config: ctx.config,
        log: silentLogger,
        instance: 'test-instance',
        sources: loopbackSources(ctx),
        digest: { key: ctx.config.secretKey, nowMs: () => ctx.clock.nowMs() },
        resolveConfig: async () => ({
          config: { prompt: 'Hi' },
          agentId: null,
          agentVersion: null,
          product,
          voice: 'en-us',
        }),
        finalize: (input: FinalizeInput) => finalizeCall(finalizeDeps, input),
        createAgent: () => Promise.reject(new Error('must not build an agent')),
        run: () => Promise.reject(new Error('must not run')),
      });
      // 5 ¢ and a storm call (9 ¢/min): the INVITE is refused once the product is known.
      const storm = offerTo('+15553330004');
      await handleInboundOffer(storm, deps('storm-base'));
      assert.deepEqual(storm.rejected, [{ status: 403, reason: 'Insufficient Balance' }]);
      const refused = await ctx.store.db
        .selectFrom('calls')
        .selectAll()
        .where('to_number', '=', '+15553330004')
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [refused.status, refused.end_reason, refused.billing_total_cents],
        ['failed', 'insufficient_balance', 0],
      );
      // An outbound call of the org holds 5 ¢ (bolt): nothing is left for an inbound call.
      await seedTrunkNumber(ctx, orgId, '+15551110009');
      const outbound = await seedOutboundCall(ctx.store.db, ctx.clock, orgId, {
        product: 'bolt',
        from_number: '+15551110009',
      });
      assert.equal(
        (await ctx.runtime.repo.admit(outbound.id, 'other', 10, ctx.config.rateCentsPerMinute)).kind,
        'admitted',
      );
      const before = (await ctx.store.db.selectFrom('calls').select('id').execute()).length;
      const held = offerTo('+15553330004');
      await handleInboundOffer(held, deps('spark'));
      assert.deepEqual(held.rejected, [{ status: 403, reason: 'Insufficient Balance' }]);
      assert.equal((await ctx.store.db.selectFrom('calls').select('id').execute()).length, before, 'no call row');
      assert.equal(await balanceOf(ctx.store.db, orgId), 5);
    });

    test('at start, every queued call gets a dial job again (a lost job cannot block the org queue)', async () => {
      const ctx = get();
      const orgId = await seedOrg(ctx.store, ctx.clock, 100);
      const waiting = await seedOutboundCall(ctx.store.db, ctx.clock, orgId);
      await ctx.store.db.deleteFrom('jobs').execute();
      await ctx.runtime.start();
      const jobs = await ctx.store.db.selectFrom('jobs').selectAll().where('queue', '=', 'calls.dial').execute();
      assert.ok(jobs.some((j) => JSON.parse(j.payload).callId === waiting.id));
    });

    test('SIP user parts normalize to numbers', () => {
      assert.equal(normalizeNumber('%2B15551234567'), '+15551234567');
      assert.equal(normalizeNumber('15551234567'), '15551234567');
      assert.equal(normalizeNumber('alice'), null);
      assert.equal(normalizeNumber('%E0%A4%A'), null);
    });
  },
);
