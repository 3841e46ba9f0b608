import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openStore } from '../../src/store/db';
import { freePort } from '../e2e/support/sipp-runner';
import { startConsoleServer, type ConsoleServer } from './support/console-server';
import { assertAccessible, launchChromium, screenshot } from './support/browser';

/*
 * The console's Campaigns page in Debian's Chromium against the real server: create a draft
 * (a field error first), upload a CSV with bad rows and see each row's error, start it (consent),
 * see its progress, pause and cancel. The window is set to hours that are closed now, so the
 * running campaign places no call (its dialing has its own tests in test/e2e).
 */
describe('console Campaigns page in Chromium', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    const closed = await freePort();
    [server, browser] = await Promise.all([
      startConsoleServer({
        LLM_BASE_URL: `http://127.0.0.1:${closed}/v1`,
        LLM_MODEL: 'fake-model',
        STT_BASE_URL: `http://127.0.0.1:${closed}/v1`,
      }),
      launchChromium(),
    ]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('create, CSV upload with per-row errors, start, progress, pause, cancel', async () => {
    const api = async (method: string, path: string, body?: unknown, key = server.apiKey) => {
      const r = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const agent = await api('POST', '/v1/agents', { name: 'Reminder', prompt: 'Remind.', voice: 'en-US-James1' });
    assert.equal(agent.status, 201);
    const store = await openStore(`sqlite:${join(server.dataDir, 'thunderphone.db')}`);
    const org = await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await store.db
      .insertInto('phone_numbers')
      .values({
        org_id: org.id,
        number: '+15557770123',
        source: 'voip',
        status: 'active',
        voip_verification_status: 'verified',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await store.destroy();
    const att = await api(
      'POST',
      `/admin/v1/orgs/${org.id}/outbound-attestation`,
      { attested_by: 'ops' },
      server.adminToken,
    );
    assert.equal(att.status, 201);

    try {
      await page.goto(`${server.baseUrl}/`);
      await page.getByLabel('API key').fill(server.apiKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Calls' }).waitFor();
      await page.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
      await page.getByText('No campaigns yet').waitFor();
      await assertAccessible(page, 'campaigns-empty');

      // A closed window now (UTC): 2–3 hours from now.
      const hh = (h: number) => `${String((new Date().getUTCHours() + h) % 24).padStart(2, '0')}:00`;
      await page.getByLabel('Name').fill('Reminders');
      await page.getByLabel('Agent').selectOption(String(agent.body.id));
      await page.getByLabel('Time zone (IANA)').fill('Mars/Olympus');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByText(/Use an IANA time zone name/).waitFor();
      await page.getByText(/This field is required/).waitFor(); // the from number
      await page.getByLabel('From number').selectOption('+15557770123');
      await page.getByLabel('Time zone (IANA)').fill('UTC');
      await page.getByLabel('Calls from (HH:MM)').fill(hh(2));
      await page.getByLabel('Calls until (HH:MM)').fill(hh(3));
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { name: 'Campaign: Reminders' }).waitFor();

      await page.getByLabel(/CSV file/).setInputFiles({
        name: 'contacts.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('phone_number,first_name\n+14155550101,Ada\n4155550102,Bob\n+14155550103,Cy\n,Di\n'),
      });
      await page.getByRole('button', { name: 'Upload contacts' }).click();
      const result = page.getByTestId('upload-result');
      await result.getByText('2 accepted, 2 rejected.').waitFor();
      await result.getByText(/Row 3: not an E.164 number/).waitFor();
      await result.getByText(/Row 5: no phone number/).waitFor();
      await page.getByText('0 of 2 contacts done').waitFor();
      await assertAccessible(page, 'campaign-draft');
      await screenshot(page, 'campaigns-01-draft');

      const start = page.getByRole('button', { name: 'Start' });
      assert.equal(await start.isDisabled(), true, 'start needs the consent box');
      await page.getByLabel(/starting places real calls/).check();
      await start.click();
      await page.getByRole('button', { name: 'Pause' }).waitFor();
      const stats = page.getByTestId('campaign-stats');
      await stats.getByText('Queued').waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Resume' }).waitFor();
      await page.getByRole('button', { name: 'Cancel campaign' }).click();
      await page.getByText('2 of 2 contacts done').waitFor();
      await assertAccessible(page, 'campaign-cancelled');
      const table = page.getByTestId('campaigns-table');
      await table.getByText('Reminders').waitFor();
      const final = await api('GET', '/v1/campaigns');
      assert.equal(final.body.results[0].status, 'cancelled');
      assert.deepEqual(errors, [], 'no uncaught error in the page');
    } finally {
      await screenshot(page, 'campaigns-02-cancelled').catch(() => undefined);
    }
  });
});
