import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Config } from '../config/config';
import { missingAgentServices } from '../config/agent-services';
import type { Logger } from '../shared/log';
import type { AgentSessionPort, CallLegPort } from './call-ports';
import type { CallRepo, CallRow } from './call-repo';
import type { FinalizeInput, FinalizeResult } from './finalize-call';
import { checkInboundSource, type SourcePolicyDeps } from './inbound-source-policy';
import { checkInboundDigest, type DigestServerDeps } from './inbound-digest';

/** An INVITE that reached our SIP port, as the calls module sees it. */
export interface InboundOfferPort {
  /** User parts of the Request-URI and of the To header, in that order of preference. */
  requestUser: string | null;
  toUser: string | null;
  fromUser: string | null;
  sipCallId: string | null;
  /** The IP address the INVITE really came from (packet or connection source, not Via). */
  sourceAddress: string;
  sourceTransport: 'udp' | 'tcp';
  /** The INVITE's Authorization header (answer to our digest challenge), if any. */
  authorization: string | null;
  /** 200 OK with our SDP; resolves with the established leg. */
  accept(): Promise<CallLegPort>;
  /** `headers`: extra SIP response headers, e.g. `[['Retry-After', '30']]`. */
  reject(status: number, reason: string, headers?: Array<[string, string]>): Promise<unknown> | unknown;
}

export interface ResolvedInboundConfig {
  /** Resolved configuration stored in calls.config (prompt, voice, product, tools...). */
  config: Record<string, unknown>;
  agentId: number | null;
  /** The saved agent's deployed revision at answer time (calls.agent_version). */
  agentVersion: number | null;
  product: string | null;
  voice: string | null;
}

/**
 * Chooses the agent for an inbound call: the blocking `telephony.incoming` webhook's answer,
 * else the number's inbound agent. Null: nobody to answer.
 */
export type InboundConfigResolver = (input: {
  orgId: number;
  callId: number;
  fromNumber: string;
  toNumber: string;
  number: Row<'phone_numbers'>;
}) => Promise<ResolvedInboundConfig | null>;

export interface InboundDeps {
  db: Kysely<DB>;
  repo: CallRepo;
  config: Config;
  log: Logger;
  instance: string;
  resolveConfig: InboundConfigResolver;
  /** Who may call which number (inbound-source-policy.ts). */
  sources: SourcePolicyDeps;
  /** Nonces of inbound digest challenges (THUNDERPHONE_SECRET_KEY + clock). */
  digest: DigestServerDeps;
  finalize: (input: FinalizeInput) => Promise<FinalizeResult>;
  createAgent: (call: CallRow) => Promise<AgentSessionPort>;
  run: (call: CallRow, agent: AgentSessionPort, leg: CallLegPort) => Promise<void>;
}

/**
 * Inbound calls (self-hosting contract §5): an INVITE from the number's trunk (demo numbers:
 * SIP_DEMO_ALLOWED_SOURCES; anything else 403, no call row, nothing billed) to an active number of an org with a
 * positive available balance runs the incoming webhook and is answered by the chosen agent once
 * the first minute at its product's rate is held. Unknown numbers get 404, a server without
 * LLM_BASE_URL/STT_BASE_URL 503, an org whose available balance (balance − running calls' holds
 * and usage) is ≤ 0 gets 403 with a reason phrase, an org at its concurrency limit 486; none of
 * these creates or bills a call. A balance that does not pay the chosen product's first minute
 * also gets 403 (the call row ends failed / insufficient_balance, not billed).
 */
export async function handleInboundOffer(offer: InboundOfferPort, deps: InboundDeps): Promise<void> {
  const number = await findActiveNumber(deps.db, [offer.requestUser, offer.toUser]);
  if (!number) {
    await offer.reject(404, 'Not Found');
    return;
  }
  const source = await checkInboundSource(number, offer.sourceAddress, deps.sources);
  if (!source.allowed) {
    // Toll-fraud guard: no call row, no hold, no ledger entry; one log line (no credentials in it).
    deps.log.warn(
      {
        to: number.number,
        numberSource: number.source,
        source: `${offer.sourceTransport}:${offer.sourceAddress}`,
        reason: source.reason,
      },
      'inbound INVITE refused: source not allowed',
    );
    await offer.reject(403, 'Forbidden');
    return;
  }
  if (source.digest) {
    const verdict = checkInboundDigest(offer.authorization, 'INVITE', source.digest, deps.digest);
    if (!verdict.ok) {
      if (verdict.failed)
        deps.log.warn(
          { to: number.number, source: `${offer.sourceTransport}:${offer.sourceAddress}` },
          'inbound INVITE digest authentication failed',
        );
      await offer.reject(401, 'Unauthorized', [['WWW-Authenticate', verdict.wwwAuthenticate]]);
      return;
    }
  }
  const missing = missingAgentServices(deps.config);
  if (missing !== null) {
    // Answering would only fail the call a moment later: refuse it, no call row, nothing billed.
    deps.log.warn({ to: number.number }, missing);
    await offer.reject(503, 'Voice Agent Not Configured');
    return;
  }
  if ((await deps.repo.availableCents(number.org_id)) <= 0) {
    await offer.reject(403, 'Insufficient Balance');
    return;
  }
  if ((await deps.repo.concurrencyLimitReached(number.org_id, deps.config.calls.maxConcurrentPerOrg)).reached) {
    await offer.reject(486, 'Busy Here');
    return;
  }
  const fromNumber = normalizeNumber(offer.fromUser) ?? 'anonymous';
  const call = await deps.repo.createInbound({
    orgId: number.org_id,
    phoneNumberId: number.id,
    agentId: number.inbound_agent_id,
    fromNumber,
    toNumber: number.number,
    config: {},
    product: null,
    voice: null,
    sipCallId: offer.sipCallId,
    ownerInstance: deps.instance,
  });
  try {
    const resolved = await deps.resolveConfig({
      orgId: number.org_id,
      callId: call.id,
      fromNumber,
      toNumber: number.number,
      number,
    });
    if (!resolved) {
      await offer.reject(480, 'No Agent Configured');
      await deps.finalize({ callId: call.id, endReason: 'rejected' });
      return;
    }
    await deps.repo.update(call.id, {
      config: JSON.stringify(resolved.config),
      agent_id: resolved.agentId,
      agent_version: resolved.agentVersion,
      product: resolved.product,
      voice: resolved.voice,
    });
    const updated = (await deps.repo.get(call.id)) ?? call;
    if (!(await deps.repo.holdFirstMinute(updated, deps.config.rateCentsPerMinute)).ok) {
      await offer.reject(403, 'Insufficient Balance');
      await deps.finalize({ callId: call.id, endReason: 'insufficient_balance' });
      return;
    }
    const agent = await deps.createAgent(updated);
    const leg = await offer.accept();
    await deps.run(updated, agent, leg);
  } catch (err) {
    deps.log.error({ callId: call.id, err }, 'inbound call failed');
    await Promise.resolve(offer.reject(500, 'Server Internal Error')).catch(() => undefined);
    await deps.finalize({ callId: call.id, endReason: 'error' });
  }
}

async function findActiveNumber(db: Kysely<DB>, users: (string | null)[]): Promise<Row<'phone_numbers'> | undefined> {
  for (const user of users) {
    const n = normalizeNumber(user);
    if (n === null) continue;
    const candidates = n.startsWith('+') ? [n, n.slice(1)] : [n, `+${n}`];
    const row = await db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('number', 'in', candidates)
      .where('status', '=', 'active')
      .where('released_at', 'is', null)
      .orderBy('id')
      .executeTakeFirst();
    if (row) return row;
  }
  return undefined;
}

/** SIP user part → E.164-ish number: keeps a leading + and digits; null for anything else. */
export function normalizeNumber(user: string | null | undefined): string | null {
  if (user == null) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(user).trim();
  } catch {
    return null;
  }
  const m = /^(\+?)(\d{3,15})$/.exec(decoded.replace(/[\s\-().]/g, ''));
  return m ? `${m[1]}${m[2]}` : null;
}
