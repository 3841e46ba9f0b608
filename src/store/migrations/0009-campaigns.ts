import { type Kysely } from 'kysely';
import type { DialectName } from '../db';
import { bigint, withSerialId } from './column-kinds';

/**
 * Campaigns (thunderphone-api.md §3.19) and the org's outbound attestation (§3.11).
 * `campaigns.status`: draft → running ⇄ paused → completed | cancelled. `dispatch_slot` is the
 * dispatcher chain's slot (campaigns/campaign-dispatcher.ts: only the job holding it continues).
 * `campaign_contacts.status`: queued → calling → completed | voicemail | no_answer | busy | failed
 * | cancelled (a retryable outcome goes back to queued with `next_attempt_at`). A contact is
 * claimed for attempt N with a guarded UPDATE (status queued AND attempts = N − 1) in the same
 * transaction as its call row, so an attempt is dialed at most once, across crashes and servers.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const big = bigint(dialect);
  await withSerialId(db.schema.createTable('campaigns'), dialect)
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('agent_id', big)
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('daily_window_start', 'text', (c) => c.notNull())
    .addColumn('daily_window_end', 'text', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('retry_delay_seconds', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pause_reason', 'text')
    .addColumn('dispatch_slot', 'text')
    .addColumn('dispatch_due_at', 'text')
    .addColumn('consent_at', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaigns_org').on('campaigns').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('campaigns_status').on('campaigns').columns(['status']).execute();

  await withSerialId(db.schema.createTable('campaign_contacts'), dialect)
    .addColumn('campaign_id', big, (c) => c.notNull().references('campaigns.id'))
    .addColumn('org_id', big, (c) => c.notNull())
    .addColumn('phone_number', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_call_id', big)
    .addColumn('last_outcome', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('campaign_contacts_campaign')
    .on('campaign_contacts')
    .columns(['campaign_id', 'status', 'id'])
    .execute();

  await db.schema.alterTable('calls').addColumn('campaign_id', big).execute();
  await db.schema.alterTable('calls').addColumn('campaign_contact_id', big).execute();
  await db.schema.createIndex('calls_campaign').on('calls').columns(['campaign_id']).execute();

  await db.schema
    .createTable('outbound_attestations')
    .addColumn('org_id', big, (c) => c.primaryKey().references('orgs.id'))
    .addColumn('attested_by', 'text', (c) => c.notNull())
    .addColumn('attestation_text', 'text', (c) => c.notNull())
    .addColumn('attested_at', 'text', (c) => c.notNull())
    .execute();
}
