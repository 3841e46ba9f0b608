import { newWebhookSecret } from './webhook-secret';
import { webhookUrlProblem } from './webhook-url';
import { urlNotAllowed } from './errors';
import type { WebhookDeps } from './webhook-deps';
import { pickAttempt, type AttemptView } from './endpoint-service';

export interface LegacyWebhookView {
  url: string | null;
  secret: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/**
 * The legacy single URL per org (`GET|PUT|PATCH /v1/webhook`, §3.2): it receives every event
 * (legacy names `call.incoming` / `call.complete`) signed with the org secret, which this API shows.
 */
export class LegacyWebhookService {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async get(orgId: number): Promise<LegacyWebhookView> {
    const org = await this.#deps.db
      .selectFrom('orgs')
      .select(['webhook_url', 'webhook_secret_enc', 'webhook_created_at', 'webhook_updated_at'])
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    return {
      url: org.webhook_url,
      secret: org.webhook_secret_enc === null ? null : this.#deps.secretBox.open(org.webhook_secret_enc),
      created_at: org.webhook_created_at,
      updated_at: org.webhook_updated_at,
    };
  }

  /** Recent attempts to the legacy URL (newest first), blocking `call.incoming` outcomes included. */
  async deliveries(orgId: number, limit = 50): Promise<AttemptView[]> {
    const rows = await this.#deps.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('endpoint_id', 'is', null)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), ...pickAttempt(r) }));
  }

  /** Sets (or with `null` clears) the URL; the secret is generated on first use and kept after. */
  async set(orgId: number, url: string | null): Promise<LegacyWebhookView> {
    if (url !== null) {
      const problem = webhookUrlProblem(url, this.#deps.allowPrivateTargets);
      if (problem !== null) throw urlNotAllowed(problem);
    }
    const current = await this.get(orgId);
    const now = this.#deps.clock.nowIso();
    const secret = current.secret ?? newWebhookSecret(this.#deps.ids);
    await this.#deps.db
      .updateTable('orgs')
      .set({
        webhook_url: url,
        webhook_secret_enc: this.#deps.secretBox.seal(secret),
        webhook_created_at: current.created_at ?? now,
        webhook_updated_at: now,
        updated_at: now,
      })
      .where('id', '=', orgId)
      .execute();
    return this.get(orgId);
  }
}
