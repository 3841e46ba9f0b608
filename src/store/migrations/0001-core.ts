import type { Kysely } from 'kysely';
import type { DialectName } from '../db';
import { bigint, withSerialId } from './column-kinds';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const big = bigint(dialect);

  await withSerialId(db.schema.createTable('orgs'), dialect)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('trial', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('balance_cents', big, (c) => c.notNull().defaultTo(0))
    .addColumn('auto_reload_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('auto_reload_minimum_cents', big, (c) => c.notNull().defaultTo(0))
    .addColumn('auto_reload_amount_cents', big, (c) => c.notNull().defaultTo(0))
    .addColumn('auto_reload_monthly_limit_cents', big)
    .addColumn('has_payment_method', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_concurrent_calls', 'integer')
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret_enc', 'text')
    .addColumn('webhook_created_at', 'text')
    .addColumn('webhook_updated_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_org').on('api_keys').column('org_id').execute();

  await withSerialId(db.schema.createTable('agents'), dialect)
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('voice', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('background_track', 'text')
    .addColumn('acknowledgement_prompt_mode', 'text', (c) => c.notNull())
    .addColumn('acknowledgement_prompt', 'text', (c) => c.notNull())
    .addColumn('inbound_speak_order', 'text', (c) => c.notNull())
    .addColumn('outbound_speak_order', 'text', (c) => c.notNull())
    .addColumn('max_hold_seconds', 'integer')
    .addColumn('widget_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('primary_language', 'text', (c) => c.notNull())
    .addColumn('additional_languages', 'text', (c) => c.notNull())
    .addColumn('tools', 'text', (c) => c.notNull())
    .addColumn('integration_ids', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('agents_org').on('agents').column('org_id').execute();

  await withSerialId(db.schema.createTable('agent_versions'), dialect)
    .addColumn('agent_id', big, (c) => c.notNull().references('agents.id'))
    .addColumn('org_id', big, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('agent_versions_agent_version', ['agent_id', 'version'])
    .execute();

  await withSerialId(db.schema.createTable('voip_connections'), dialect)
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('setup_method', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('inferred_name', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sip_config', 'text', (c) => c.notNull())
    .addColumn('credentials_enc', 'text', (c) => c.notNull())
    .addColumn('last_tested_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();

  await db.schema
    .createTable('voip_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('checks', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await withSerialId(db.schema.createTable('phone_numbers'), dialect)
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('inbound_agent_id', big)
    .addColumn('outbound_agent_id', big)
    .addColumn('voip_connection_id', big)
    .addColumn('voip_verification_status', 'text')
    .addColumn('voip_verification_error', 'text')
    .addColumn('voip_last_verified_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .execute();
  await db.schema.createIndex('phone_numbers_org').on('phone_numbers').column('org_id').execute();
  await db.schema.createIndex('phone_numbers_number').on('phone_numbers').column('number').execute();

  await withSerialId(db.schema.createTable('calls'), dialect)
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('agent_id', big)
    .addColumn('phone_number_id', big)
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('end_reason', 'text')
    .addColumn('transfer_number', 'text')
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('max_hold_seconds', 'integer')
    .addColumn('product', 'text')
    .addColumn('voice', 'text')
    .addColumn('start_time', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('end_time', 'text')
    .addColumn('duration_seconds', 'integer')
    .addColumn('recording_path', 'text')
    .addColumn('transcript', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('billable_minutes', 'integer')
    .addColumn('billing_total_cents', big)
    .addColumn('billed_at', 'text')
    .addColumn('is_test_call', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('idempotency_key', 'text')
    .addColumn('idempotency_hash', 'text')
    .addColumn('owner_instance', 'text')
    .addColumn('sip_call_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('calls_org_created').on('calls').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('calls_status').on('calls').column('status').execute();
  await db.schema
    .createIndex('calls_org_idempotency')
    .on('calls')
    .columns(['org_id', 'idempotency_key'])
    .unique()
    .execute();

  await withSerialId(db.schema.createTable('call_events'), dialect)
    .addColumn('call_id', big, (c) => c.notNull().references('calls.id'))
    .addColumn('org_id', big, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('call_events_call').on('call_events').column('call_id').execute();

  await withSerialId(db.schema.createTable('ledger_entries'), dialect)
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('amount_cents', big, (c) => c.notNull())
    .addColumn('balance_after_cents', big, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('call_id', big)
    .addColumn('reference', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_org').on('ledger_entries').columns(['org_id', 'id']).execute();
  await db.schema
    .createIndex('ledger_org_reference')
    .on('ledger_entries')
    .columns(['org_id', 'reference'])
    .unique()
    .execute();

  await withSerialId(db.schema.createTable('jobs'), dialect)
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('singleton_key', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'queue', 'run_at']).execute();
}
