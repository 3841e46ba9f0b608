import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import { agentCallConfig, getAgent } from '../agents/agent-service';
import type { InboundConfigResolver, ResolvedInboundConfig } from './inbound-call';

/** The part of WebhookService used here: the blocking `telephony.incoming` round trip. */
export interface IncomingWebhook {
  resolveIncoming(input: {
    orgId: number;
    callId: number;
    fromNumber: string;
    toNumber: string;
  }): Promise<{ kind: 'config'; config: object } | { kind: 'fallback'; reason: string }>;
  /** Secret that signs tool requests of the org's calls (the legacy org secret, else null). */
  toolSigningSecret(orgId: number): Promise<string | null>;
}

/**
 * Inbound agent choice (API §5.4): the webhook's configuration when it answers with one in time,
 * otherwise the number's inbound agent. Speak order and hold time always come from the saved
 * agent (the webhook cannot set them); `barge_in` is the webhook's when it gives one, else the agent's; inbound defaults to the agent speaking first.
 */
export function inboundConfigResolver(db: Kysely<DB>, webhook: IncomingWebhook): InboundConfigResolver {
  return async ({ orgId, callId, fromNumber, toNumber, number }) => {
    const agent = number.inbound_agent_id !== null ? await getAgent(db, orgId, number.inbound_agent_id) : undefined;
    const answer = await webhook.resolveIncoming({ orgId, callId, fromNumber, toNumber });
    const base = {
      name: agent?.name ?? null,
      speak_order: agent?.inbound_speak_order ?? 'agent_first',
      max_hold_seconds: agent?.max_hold_seconds ?? null,
      post_call_analysis: agent?.post_call_analysis ?? null,
    };
    const agentBargeIn = agent?.barge_in ?? null;
    let resolved: ResolvedInboundConfig | null = null;
    if (answer.kind === 'config') {
      const config: Record<string, unknown> = {
        ...(answer.config as Record<string, unknown>),
        ...base,
        // The webhook's own barge_in (validated like an inline config) wins; else the number's agent's.
        barge_in: (answer.config as { barge_in?: unknown }).barge_in ?? agentBargeIn,
        source: 'webhook',
      };
      resolved = {
        config,
        agentId: agent?.id ?? null,
        agentVersion: agent?.version ?? null,
        product: str(config.product) ?? 'spark',
        voice: str(config.voice),
      };
    } else if (agent) {
      const config = { ...agentCallConfig(agent), ...base, barge_in: agentBargeIn, source: 'agent' };
      resolved = { config, agentId: agent.id, agentVersion: agent.version, product: agent.product, voice: agent.voice };
    }
    return resolved;
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
