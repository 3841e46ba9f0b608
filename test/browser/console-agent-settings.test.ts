import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../e2e/support/sipp-runner';
import { startConsoleServer, type ConsoleServer } from './support/console-server';
import { assertAccessible, launchChromium, screenshot } from './support/browser';

/*
 * The agent form's "Interruptions" (barge_in), "Voicemail (outbound calls)" and "Post-call
 * analysis" sections in Debian's Chromium against the real server (src/main.ts): what is typed is
 * what the REST API then returns, the API's messages for nested fields (`barge_in.min_words`)
 * appear next to their inputs, and emptied barge-in inputs mean the platform defaults (null).
 * No call is placed, so the LLM/STT addresses point at a closed port.
 */
const SCHEMA = {
  type: 'object',
  properties: { callback_time: { type: 'string' }, interested: { type: 'boolean' } },
  required: ['interested'],
};
const MESSAGE = 'Hi {{name}}, this is Acme about your order. Please call us back.';

describe('console agent form: interruptions, voicemail, post-call analysis in Chromium', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    const closed = await freePort();
    // Each is kept as soon as it is up, so `after` stops the server also when Chromium failed to start.
    const started = await Promise.allSettled([
      startConsoleServer({
        LLM_BASE_URL: `http://127.0.0.1:${closed}/v1`,
        LLM_MODEL: 'fake-model',
        STT_BASE_URL: `http://127.0.0.1:${closed}/v1`,
      }).then((s) => (server = s)),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const api = async (path: string) => {
    const r = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    assert.equal(r.status, 200, path);
    return (await r.json()) as any;
  };
  /** The messages tied to the input named `name` (its aria-describedby's error list), once it is marked invalid. */
  const fieldMessage = async (name: string) => {
    const input = page.locator(`[name="${name}"][aria-invalid="true"]`);
    await input.waitFor();
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
    return page.locator(`[id="${ids[ids.length - 1]}"]`).innerText();
  };
  const group = (name: string) => page.getByRole('group', { name });

  test('settings typed in the form are what the API returns; bad values show the API’s message by the field and save nothing; emptied barge-in inputs save null', async () => {
    try {
      await page.goto(`${server.baseUrl}/`);
      await page.getByLabel('API key').fill(server.apiKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Calls' }).waitFor();
      await page.goto(`${server.baseUrl}/agents/new`);
      await page.getByRole('heading', { level: 1, name: 'New agent' }).waitFor();
      await page.getByLabel('Name').fill('Order reminders');
      await page.getByLabel('Prompt').fill('You call customers about their orders.');

      // Bad values: leave_message without a message, 99 words, a schema of a string (the API says why).
      const voicemail = group('Voicemail (outbound calls)');
      await voicemail.getByLabel('When a machine answers').selectOption('leave_message');
      const interruptions = group('Interruptions');
      await interruptions.getByLabel('Words that interrupt').fill('99');
      const analysis = group('Post-call analysis');
      await analysis.getByLabel('Analyze calls after they end').check();
      await analysis.getByLabel('Extraction schema (JSON)').fill('{"type": "string"}');
      await page.getByRole('button', { name: 'Create agent' }).click();
      assert.match(await fieldMessage('voicemail_message'), /Required when voicemail_action is "leave_message"/);
      assert.match(await fieldMessage('barge_in.min_words'), /from 1 to 20/);
      assert.match(await fieldMessage('post_call_analysis.extraction_schema'), /must describe an object/);
      // Shown by their fields, so not repeated in the form's summary.
      const alert = await page.getByRole('alert').innerText();
      assert.ok(!alert.includes('barge_in.min_words') && !alert.includes('voicemail_message'), alert);
      await screenshot(page, 'agent-settings-field-errors');
      await assertAccessible(page, 'agent form with errors in the new sections');
      assert.deepEqual(await api('/v1/agents'), [], 'nothing saved');

      // Schema text that is not JSON is caught before anything is sent.
      const sent: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/v1/agents')) sent.push(r.url());
      });
      await analysis.getByLabel('Extraction schema (JSON)').fill('{"type": "object",');
      await page.getByRole('button', { name: 'Create agent' }).click();
      assert.match(await fieldMessage('post_call_analysis.extraction_schema'), /Not valid JSON/);
      assert.deepEqual(sent, [], 'no request with a schema that is not JSON');

      // Fixed: saved, and the API returns what was typed.
      await voicemail.getByLabel('Voicemail message').fill(MESSAGE);
      await interruptions.getByLabel('Words that interrupt').fill('3');
      await analysis.getByLabel('Extraction schema (JSON)').fill(JSON.stringify(SCHEMA, null, 2));
      await analysis.getByLabel('Outcome labels').fill('callback_booked\n  not_interested  \n');
      await analysis.getByLabel('Summary').uncheck();
      await page.getByRole('button', { name: 'Create agent' }).click();
      await page.getByRole('heading', { level: 1, name: 'Order reminders' }).waitFor();
      await page.getByText('Created: saved as version 1.').waitFor();
      const id = Number(/\/agents\/(\d+)$/.exec(page.url())?.[1]);
      const created = await api(`/v1/agents/${id}`);
      assert.equal(created.voicemail_action, 'leave_message');
      assert.equal(created.voicemail_message, MESSAGE);
      assert.deepEqual(created.barge_in, { min_words: 3 });
      assert.deepEqual(created.post_call_analysis, {
        summary: false,
        grading: true,
        extraction_schema: SCHEMA,
        outcome_labels: ['callback_booked', 'not_interested'],
      });

      // A fresh page shows the saved values (GET → form).
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Order reminders' }).waitFor();
      assert.equal(await interruptions.getByLabel('Words that interrupt').inputValue(), '3');
      assert.equal(await interruptions.getByLabel('Speech that interrupts (ms)').inputValue(), '');
      assert.equal(await voicemail.getByLabel('Voicemail message').inputValue(), MESSAGE);
      assert.equal(await analysis.getByLabel('Summary').isChecked(), false);
      assert.deepEqual(JSON.parse(await analysis.getByLabel('Extraction schema (JSON)').inputValue()), SCHEMA);
      assert.equal(await analysis.getByLabel('Outcome labels').inputValue(), 'callback_booked\nnot_interested');
      await screenshot(page, 'agent-settings-saved');
      await assertAccessible(page, 'agent page with the new sections filled in');

      // Emptied barge-in inputs: the platform defaults (null); everything else is kept.
      await interruptions.getByLabel('Words that interrupt').fill('');
      await page.getByRole('button', { name: 'Save and deploy' }).click();
      await page.getByText('Deployed as version 2.').waitFor();
      const updated = await api(`/v1/agents/${id}`);
      assert.equal(updated.barge_in, null);
      assert.equal(updated.voicemail_message, MESSAGE);
      assert.deepEqual(updated.post_call_analysis, created.post_call_analysis);

      // Turned off, analysis is null.
      await analysis.getByLabel('Analyze calls after they end').uncheck();
      await page.getByRole('button', { name: 'Save and deploy' }).click();
      await page.getByText('Deployed as version 3.').waitFor();
      assert.equal((await api(`/v1/agents/${id}`)).post_call_analysis, null);
      assert.deepEqual(errors, [], 'no uncaught error in the page');
    } catch (err) {
      (err as Error).message += `\n--- server log (tail) ---\n${server.logs().slice(-3000)}`;
      throw err;
    } finally {
      await screenshot(page, 'agent-settings-last').catch(() => undefined);
    }
  });
});
