import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { TEST_PG_URL, testDialects } from '../../test/support/dialects';

const BIN = join(import.meta.dirname, '../../bin/thunderphone.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(databaseUrl: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: tmpdir(),
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

for (const dialect of testDialects()) {
  describe(`thunderphone admin CLI [${dialect}]`, () => {
    let url = '';
    let cleanup: () => Promise<void> = async () => {};
    before(async () => {
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
        url = `sqlite:${join(dir, 'cli.db')}`;
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const schema = `cli_${process.pid}_${Date.now().toString(36)}`;
        const client = new pg.Client({ connectionString: TEST_PG_URL });
        await client.connect();
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.end();
        url = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
        cleanup = async () => {
          const c = new pg.Client({ connectionString: TEST_PG_URL });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await c.end();
        };
      }
    });
    after(() => cleanup());

    test('orgs create, credits (negative too) and orgs list work on DATABASE_URL', async () => {
      const created = await cli(url, [
        'admin',
        'orgs',
        'create',
        '--name',
        'Cli Co',
        '--balance-cents',
        '700',
        '--trial',
      ]);
      assert.equal(created.code, 0, created.stderr);
      const out = JSON.parse(created.stdout);
      assert.equal(out.org.name, 'Cli Co');
      assert.equal(out.org.trial, true);
      assert.equal(out.org.balance_cents, 700);
      assert.match(out.api_key, /^sk_live_[0-9a-f]{48}$/);
      const credit = await cli(url, ['admin', 'credits', String(out.org.id), '-250', '--description', 'Correction']);
      assert.equal(credit.code, 0, credit.stderr);
      assert.deepEqual(
        [JSON.parse(credit.stdout).balance_after_cents, JSON.parse(credit.stdout).description],
        [450, 'Correction'],
      );
      const list = await cli(url, ['admin', 'orgs', 'list']);
      assert.equal(list.code, 0, list.stderr);
      const row = JSON.parse(list.stdout).find((o: any) => o.id === out.org.id);
      assert.equal(row.balance_cents, 450);
    });

    test('attest records the outbound attestation, attestation shows it, unattest removes it', async () => {
      const created = JSON.parse((await cli(url, ['admin', 'orgs', 'create', '--name', 'Gate Co'])).stdout);
      const id = String(created.org.id);
      const none = await cli(url, ['admin', 'attestation', id]);
      assert.equal(JSON.parse(none.stdout).confirmed, false);
      const noBy = await cli(url, ['admin', 'attest', id]);
      assert.equal(noBy.code, 2);
      assert.match(noBy.stderr, /--by/);
      const att = await cli(url, ['admin', 'attest', id, '--by', 'Grace Hopper', '--text', 'We have consent.']);
      assert.equal(att.code, 0, att.stderr);
      const shown = JSON.parse((await cli(url, ['admin', 'attestation', id])).stdout);
      assert.deepEqual(
        [shown.confirmed, shown.attested_by, shown.attestation_text],
        [true, 'Grace Hopper', 'We have consent.'],
      );
      const removed = await cli(url, ['admin', 'unattest', id]);
      assert.equal(JSON.parse(removed.stdout).removed, true);
      assert.equal(JSON.parse((await cli(url, ['admin', 'attestation', id])).stdout).confirmed, false);
      const unknown = await cli(url, ['admin', 'attest', '999999', '--by', 'x']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /Organization not found/);
    });

    test('usage errors exit 2, failed operations exit 1, both with a message', async () => {
      const bad = await cli(url, ['admin', 'orgs', 'create']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--name is required/);
      const unknown = await cli(url, ['admin', 'credits', '999999', '100']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /Organization not found/);
      const zero = await cli(url, ['admin', 'credits', '1', '0']);
      assert.equal(zero.code, 1);
      assert.match(zero.stderr, /amount_cents/);
    });
  });
}
