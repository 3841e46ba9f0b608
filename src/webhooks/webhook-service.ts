import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { CallAgentConfig } from '../agents/call-config';
import { WebhookOutbox, type WebhookEventInput } from './webhook-outbox';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { IncomingResolver, type IncomingDecision, type IncomingInput } from './incoming-resolver';
import { WebhookEndpointService } from './endpoint-service';
import { LegacyWebhookService } from './legacy-webhook-service';
import type { WebhookDeps } from './webhook-deps';

export type { IncomingDecision, IncomingInput, WebhookEventInput, CallAgentConfig };

/**
 * The webhooks domain as the rest of the server sees it:
 * - `emit(trx, event)`: outbox write in the caller's transaction (telephony.complete, telephony.tool,
 *   call.graded, issue.reported, test-call.completed...), delivered at least once by jobs;
 * - `resolveIncoming(...)`: the blocking telephony.incoming / call.incoming decision within 2 s;
 * - `endpoints`, `legacy`: management used by the HTTP routes; `dispatcher`: the delivery worker.
 */
export class WebhookService {
  readonly endpoints: WebhookEndpointService;
  readonly legacy: LegacyWebhookService;
  readonly dispatcher: DeliveryDispatcher;
  readonly #outbox: WebhookOutbox;
  readonly #incoming: IncomingResolver;
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
    this.#outbox = new WebhookOutbox(deps);
    this.#incoming = new IncomingResolver(deps);
    this.endpoints = new WebhookEndpointService(deps);
    this.legacy = new LegacyWebhookService(deps);
    this.dispatcher = new DeliveryDispatcher(deps);
  }

  async emit(trx: Kysely<DB> | Transaction<DB>, event: WebhookEventInput): Promise<void> {
    await this.#outbox.emit(trx, event);
  }

  resolveIncoming(input: IncomingInput): Promise<IncomingDecision> {
    return this.#incoming.resolve(input);
  }

  /**
   * Secret that signs a call's tool requests (X-ThunderPhone-Signature, §5.7): the secret of the
   * endpoint whose incoming answer configured the call, else the org's legacy webhook secret,
   * else the secret of the org's oldest enabled endpoint, else null (send unsigned).
   */
  async toolSigningSecret(orgId: number, endpointId: string | null = null): Promise<string | null> {
    const { db, secretBox } = this.#deps;
    if (endpointId !== null) {
      const e = await db
        .selectFrom('webhook_endpoints')
        .select('secret_enc')
        .where('id', '=', endpointId)
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (e) return secretBox.open(e.secret_enc);
    }
    const org = await db.selectFrom('orgs').select('webhook_secret_enc').where('id', '=', orgId).executeTakeFirst();
    if (org?.webhook_secret_enc) return secretBox.open(org.webhook_secret_enc);
    // No legacy URL: the org's oldest enabled endpoint signs (documented in the README).
    const oldest = await db
      .selectFrom('webhook_endpoints')
      .select('secret_enc')
      .where('org_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .where('status', '!=', 'disabled')
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return oldest ? secretBox.open(oldest.secret_enc) : null;
  }
}
