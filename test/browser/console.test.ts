import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { WebhookReceiver } from '../../src/webhooks/testing/webhook-receiver';
import { freePort, speechUlaw, startSipp, type SippProcess } from '../e2e/support/sipp-runner';
import { answeringTrunk } from '../e2e/support/trunk-scenarios';
import { SCENARIOS } from '../sipp/sipp-harness';
import { startConsoleServer, type ConsoleServer } from './support/console-server';
import { assertAccessible, assertNoHorizontalScroll, launchChromium, screenshot } from './support/browser';

/*
 * The web console in Debian's Chromium against the real server (`src/main.ts`, as `npm start`
 * runs it), a sipp trunk (digest auth, real RTP with Allison's recorded speech), real espeak-ng
 * TTS, and FAKE OpenAI-compatible STT/LLM servers (the only stand-ins: paid cloud AI). Every test
 * saves a screenshot under test-artifacts/browser/ and runs axe-core on the pages it visits.
 */
const GREETING = 'Hello, this is the Acme front desk.';
const HEARD = 'Weasels have eaten our phone system.';
const REPLY = 'Oh no. A technician is on the way.';
const TIME_ZONE = 'America/New_York';
const NUMBER = '+15557770001';
/** The page's globals inside page.evaluate/waitForFunction callbacks (this process has no DOM types). */
interface InPage {
  document: {
    querySelector(
      s: string,
    ): { readyState: number; duration: number; currentTime: number; play(): Promise<void> } | null;
  };
}

describe('web console in Chromium [sqlite: the console does not depend on the dialect]', () => {
  let llm: FakeLlmServer;
  let stt: FakeSttServer;
  let rx: WebhookReceiver;
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let trunkPort: number;
  const sipps: SippProcess[] = [];
  const errors: string[] = [];

  before(async () => {
    [llm, stt, rx] = await Promise.all([
      startFakeOpenAiLlmServer([GREETING, REPLY]),
      startFakeOpenAiSttServer([HEARD]),
      WebhookReceiver.start(),
    ]);
    [server, browser, trunkPort] = await Promise.all([
      startConsoleServer({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', STT_BASE_URL: stt.baseUrl }),
      launchChromium(),
      freePort(),
    ]);
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: TIME_ZONE,
      locale: 'en-US',
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    for (const s of sipps) await s.kill();
    await browser?.close();
    await server?.stop();
    await Promise.all([llm?.close(), stt?.close(), rx?.close()]);
  });

  /** Runs a step and always leaves its screenshot, also when it fails. */
  const step = async (name: string, p: Page, body: () => Promise<void>) => {
    const seen = errors.length;
    try {
      await body();
      assert.deepEqual(errors.slice(seen), [], 'no uncaught error in the page');
    } catch (err) {
      (err as Error).message += `\n--- server log (tail) ---\n${server.logs().slice(-3000)}`;
      throw err;
    } finally {
      await screenshot(p, name).catch(() => undefined);
    }
  };
  const url = (path: string) => `${server.baseUrl}${path}`;
  const signIn = async (p: Page, key: string) => {
    await p.getByLabel('API key').fill(key);
    await p.getByRole('button', { name: 'Sign in' }).click();
  };
  const heading = (p: Page, name: string) => p.getByRole('heading', { level: 1, name }).waitFor();
  const registrar = () =>
    startSipp({
      scenarioXml: readFileSync(join(SCENARIOS, 'uas-registrar.xml'), 'utf8'),
      transport: 'udp',
      workDir: server.dataDir,
      port: trunkPort,
      timeoutS: 20,
    }).then((s) => (sipps.push(s), s));

  test('sign in with the key npm start printed (no key kept in the browser); pages are accessible, also at phone width', async () => {
    await step('01-sign-in', page, async () => {
      await page.goto(url('/'));
      await heading(page, 'Sign in to the console');
      await assertAccessible(page, 'sign-in');
      await signIn(page, server.apiKey);
      await heading(page, 'Calls');
      await page.getByText('No calls yet.').waitFor();
      await page.getByRole('status', { name: /Live updates: Live/ }).waitFor();
      await page.getByText(`From (${TIME_ZONE})`).waitFor();
      await assertAccessible(page, 'calls (empty)');
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'tp_console');
      assert.ok(session?.httpOnly, 'httpOnly session cookie');
      assert.equal(session?.sameSite, 'Strict');
      const stored = String(
        await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })'),
      );
      assert.ok(!stored.includes('sk_live_'), 'no key in web storage');
      assert.ok(!page.url().includes('sk_live_'), 'no key in the URL');
      for (const [path, title] of [
        ['/numbers', 'Numbers'],
        ['/billing', 'Billing'],
        ['/keys', 'API keys'],
        ['/webhooks', 'Webhooks'],
        ['/agents', 'Agents'],
      ] as const) {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: title, exact: true }).click();
        await heading(page, title);
        await page.locator('.state-loading').first().waitFor({ state: 'detached' });
        await assertAccessible(page, path);
      }
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        storageState: await context.storageState(),
      });
      try {
        const p = await phone.newPage();
        await p.goto(url('/calls'));
        await heading(p, 'Calls');
        await screenshot(p, '01-calls-phone-width');
        await assertNoHorizontalScroll(p, 'calls at 390 px');
        await assertAccessible(p, 'calls at phone width');
      } finally {
        await phone.close();
      }
    });
  });

  test('create an agent: a bad value shows the API’s field error next to the field; fixed, it saves; versions show the diff', async () => {
    await step('02-agent', page, async () => {
      await page.goto(url('/agents'));
      await page.getByText('No agents yet.').waitFor();
      await page.getByRole('link', { name: 'New agent' }).click();
      await heading(page, 'New agent');
      await page.getByLabel('Name').fill('Front desk');
      await page.getByLabel('Prompt').fill('You are the front desk of Acme. Greet the caller.');
      await page.getByLabel('Longest hold (seconds)').fill('99999');
      await page.getByRole('button', { name: 'Create agent' }).click();
      const hold = page.getByLabel('Longest hold (seconds)');
      await page.locator('[name="max_hold_seconds"][aria-invalid="true"]').waitFor();
      const describedBy = (await hold.getAttribute('aria-describedby')) ?? '';
      const message = await page.locator(`[id="${describedBy.split(' ').pop()}"]`).innerText();
      assert.match(message, /0 to 3600/, 'the API’s message, tied to the field');
      await screenshot(page, '02-agent-field-error');
      await assertAccessible(page, 'agent form with a field error');

      // The tools editor checks JSON Schema before anything is sent.
      await page
        .getByLabel('Tools (JSON)')
        .fill(
          '[{"type":"function","function":{"name":"bad name!","description":"x","parameters":{"type":"object","required":["id"]}},"endpoint":{"url":"https://example.com"}}]',
        );
      await hold.fill('120');
      await page.getByRole('button', { name: 'Create agent' }).click();
      await page.getByText('tools.0.function.name: Letters, digits').waitFor();
      await page.getByText('"id" is not one of the properties').waitFor();
      await page.getByLabel('Tools (JSON)').fill('[]');
      await page.getByRole('button', { name: 'Create agent' }).click();
      await heading(page, 'Front desk');
      await page.getByText('Created: saved as version 1.').waitFor();
      assert.match(page.url(), /\/agents\/\d+$/);
      await page.getByRole('button', { name: 'Start talking' }).waitFor();

      const preview = page.waitForResponse((r) => r.url().includes('/preview'));
      await page.getByRole('button', { name: 'Preview voice' }).click();
      const res = await preview;
      assert.equal(res.status(), 200);
      assert.equal(res.headers()['content-type'], 'audio/wav');

      await page.getByLabel('Prompt').fill('You are the front desk of Acme. Greet the caller warmly.');
      await page.getByRole('button', { name: 'Save and deploy' }).click();
      await page.getByText('Deployed as version 2.').waitFor();
      await page.getByText('Changes from version 1 to 2:').waitFor();
      await page.getByText('+ You are the front desk of Acme. Greet the caller warmly.').waitFor();

      // A draft: saved, calls keep version 2 (the API says so), then deployed as version 3.
      await page
        .getByRole('textbox', { name: 'Prompt' })
        .fill('You are the front desk of Acme. Greet the caller by name.');
      await page.getByRole('button', { name: 'Save as draft' }).click();
      await page.getByText('Draft saved. Calls keep using version 2 until you deploy it.').waitFor();
      const draft = page.getByRole('region', { name: 'Pending draft' });
      await draft.getByText('Calls use version 2').waitFor();
      assert.equal(
        await page.getByRole('textbox', { name: 'Prompt' }).inputValue(),
        'You are the front desk of Acme. Greet the caller by name.',
      );
      const agentId = /\/agents\/(\d+)$/.exec(page.url())![1];
      const live = (await (await page.request.get(url(`/v1/agents/${agentId}`))).json()) as {
        version: number;
        prompt: string;
        draft: { prompt: string } | null;
      };
      assert.equal(live.version, 2);
      assert.equal(live.prompt, 'You are the front desk of Acme. Greet the caller warmly.');
      assert.equal(live.draft?.prompt, 'You are the front desk of Acme. Greet the caller by name.');
      await screenshot(page, '02-agent-draft');
      await assertAccessible(page, 'agent page with a draft');
      await draft.getByRole('button', { name: 'Deploy draft' }).click();
      await page.getByText('Deployed as version 3.').waitFor();
      await page.getByRole('region', { name: 'Pending draft' }).waitFor({ state: 'detached' });
      await page.getByText('Changes from version 2 to 3:').waitFor();
      await assertAccessible(page, 'agent page');
    });
  });

  test('webhooks: the secret is shown once, a test is delivered, the log shows status and latency', async () => {
    await step('03-webhooks', page, async () => {
      await page.goto(url('/webhooks'));
      await heading(page, 'Webhooks');
      await page.getByLabel('Label').fill('Receiver');
      await page.getByLabel('URL').fill(rx.url('/hook'));
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByTestId('secret-value').innerText();
      assert.match(secret, /^whsec_/);
      await assertAccessible(page, 'webhooks with the secret shown');
      await page.getByRole('button', { name: 'I stored it' }).click();
      assert.equal(await page.getByTestId('secret-value').count(), 0, 'gone once dismissed');
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByText(/Test sent to Receiver: HTTP 200 in \d+ ms\./).waitFor();
      assert.ok(rx.requests.some((r) => r.raw.toString().includes('webhook.test')));
      await page.getByTestId('deliveries').getByText('webhook.test').first().waitFor();
    });
  });

  test('trunk flow against a sipp trunk: test → save → import → verify, each check in words', async () => {
    await step('04-trunk', page, async () => {
      const reg1 = await registrar();
      await page.goto(url('/numbers'));
      await page.getByRole('link', { name: 'Connect a SIP trunk' }).click();
      await heading(page, 'Connect a SIP trunk');
      await page.getByLabel('SIP host').fill('127.0.0.1');
      await page.getByLabel('Port', { exact: true }).fill(String(trunkPort));
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('secret');
      await page.getByRole('button', { name: 'Test connection' }).click();
      const result = page.getByTestId('trunk-test-result');
      await result.getByText('The trunk passed the test.').waitFor();
      await result.getByText('Reachable: the trunk answered a SIP OPTIONS request.').waitFor();
      await result.getByText('Credentials accepted: digest authentication succeeded.').waitFor();
      assert.equal(await reg1.exited, 0, reg1.diagnostics());
      await assertAccessible(page, 'trunk test result');
      await page.getByRole('button', { name: 'Save connection' }).click();
      await page.getByRole('heading', { name: '3. Import your numbers' }).waitFor();
      await page.getByLabel('Numbers (E.164, one per line)').fill(NUMBER);
      await page.getByRole('button', { name: 'Import numbers' }).click();
      await page.getByRole('heading', { name: '4. Verify each number' }).waitFor();
      await page.getByText('Not verified yet.').waitFor();
      const reg2 = await registrar();
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByText('✓ Verified — active, can place outbound calls.').waitFor();
      assert.equal(await reg2.exited, 0, reg2.diagnostics());
      await assertAccessible(page, 'trunk verified');

      await page.getByRole('link', { name: 'Numbers', exact: true }).first().click();
      await heading(page, 'Numbers');
      const row = page.getByTestId('numbers-table').getByRole('row', { name: new RegExp(`\\${NUMBER}`) });
      await row.getByText('Verified').waitFor();
      await page.getByLabel(`Outbound agent of ${NUMBER}`).selectOption({ label: 'Front desk' });
      await page.getByText(`${NUMBER} updated.`).waitFor();
      await assertAccessible(page, 'numbers with a verified number');
    });
  });

  test('place a call: in progress → completed live, the transcript grows, the recording plays, cost and webhooks shown', async () => {
    await step('05-call', page, async () => {
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({
          audioPath: speechUlaw(server.dataDir, 'tt-weasels', 3.5, 1.0),
          hangUpAfterMs: 11_000,
        }),
        transport: 'udp',
        workDir: server.dataDir,
        port: trunkPort,
        timeoutS: 40,
      });
      sipps.push(sipp);
      await page.goto(url('/calls'));
      await heading(page, 'Calls');
      await page.getByRole('button', { name: 'Place a call' }).click();
      const dialog = page.getByRole('dialog', { name: 'Place a call' });
      await dialog.getByLabel('From').selectOption(NUMBER);
      await dialog.getByLabel('To').fill('+15550123456');
      await dialog.getByLabel('Agent').selectOption({ label: 'Front desk' });
      await assertAccessible(page, 'place-call dialog');
      await dialog.getByRole('button', { name: 'Call' }).click();
      await page.waitForURL(/\/calls\/\d+$/);
      const callId = Number(/\/calls\/(\d+)$/.exec(page.url())?.[1]);
      await heading(page, `Call #${callId}`);

      const summary = page.getByRole('region', { name: 'Summary' });
      const transcript = page.getByTestId('transcript');
      // While the call runs, its transcript grows on the page (live stream, no reload).
      await transcript.getByText(GREETING).waitFor({ timeout: 20_000 });
      assert.equal(
        await summary.getByText('In progress', { exact: true }).count(),
        1,
        'still running when the greeting shows',
      );
      await screenshot(page, '05-call-in-progress');
      await summary.getByText('Completed', { exact: true }).waitFor({ timeout: 40_000 });
      await transcript.getByText(HEARD).waitFor();
      await transcript.getByText(REPLY).waitFor();
      assert.equal(await sipp.exited, 0, sipp.diagnostics());

      const audio = page.getByTestId('recording');
      await audio.waitFor();
      await page.waitForFunction(() => {
        const a = (globalThis as unknown as InPage).document.querySelector('[data-testid="recording"]');
        return a !== null && a.readyState >= 1 && a.duration > 5;
      });
      await page.getByRole('radio', { name: 'Agent (right)' }).check();
      await page.evaluate(() =>
        (globalThis as unknown as InPage).document.querySelector('[data-testid="recording"]')?.play(),
      );
      await page.waitForFunction(
        () =>
          ((globalThis as unknown as InPage).document.querySelector('[data-testid="recording"]')?.currentTime ?? 0) >
          0.3,
      );

      const cost = page.getByRole('region', { name: 'Cost' });
      await cost.getByText(`Call ${callId}: 1 min`).waitFor();
      await page.getByRole('region', { name: 'Latency per turn' }).getByText('Turn 1').first().waitFor();
      await page.getByRole('region', { name: 'Timeline' }).getByText('Answered').waitFor();
      await page.getByRole('region', { name: 'Webhook deliveries' }).getByText('telephony.complete').waitFor();
      await assertAccessible(page, 'call page');
      await screenshot(page, '05-call-completed');

      await page.getByRole('link', { name: 'All calls' }).click();
      const row = page.locator(`[data-call-id="${callId}"]`);
      await row.getByText('Completed').waitFor();
      await row.getByText('Caller hangup').waitFor();
      await assertAccessible(page, 'calls list');
    });
  });

  test('operator view: every org with its balance; credit added through the admin API', async () => {
    const operator = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: TIME_ZONE });
    const p = await operator.newPage();
    p.setDefaultTimeout(15_000);
    try {
      await step('06-operator', p, async () => {
        await p.goto(url('/'));
        await signIn(p, server.adminToken);
        await heading(p, 'Organizations');
        const row = p.getByTestId('orgs-table').getByRole('row', { name: /Development org/ });
        const before = await row.locator('td').nth(2).innerText();
        await assertAccessible(p, 'operator view');
        await row.getByRole('button', { name: 'Add credit to Development org' }).click();
        await p.getByRole('dialog').getByLabel('Amount (USD)').fill('5');
        await p.getByRole('dialog').getByLabel('Description').fill('Invoice 42');
        await p.getByRole('dialog').getByRole('button', { name: 'Add credit' }).click();
        await p.getByText('$5.00 added to Development org.').waitFor();
        const cents = (s: string) => Math.round(Number(s.replace(/[^0-9.]/g, '')) * 100);
        const want = `$${((cents(before) + 500) / 100).toFixed(2)}`;
        await row.locator('td').nth(2).getByText(want, { exact: true }).waitFor();
        await p.getByLabel('Name').fill('Acme');
        await p.getByRole('button', { name: 'Create organization' }).click();
        assert.match(await p.getByTestId('secret-value').innerText(), /^sk_live_/);
        await p.getByTestId('orgs-table').getByRole('row', { name: /Acme/ }).waitFor();
      });
    } finally {
      await operator.close();
    }
  });

  test('revoke the key in use: the console signs out and says why', async () => {
    await step('07-revoked', page, async () => {
      await page.goto(url('/keys'));
      await heading(page, 'API keys');
      await page.getByLabel('Name').fill('Second');
      await page.getByRole('button', { name: 'Create key' }).click();
      const second = await page.getByTestId('secret-value').innerText();
      assert.match(second, /^sk_live_/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You signed out.').waitFor();
      await signIn(page, second);
      await heading(page, 'API keys');
      const row = page.getByTestId('keys-table').getByRole('row', { name: /this session/ });
      await row.getByRole('button', { name: 'Revoke Second' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke this key?' });
      await dialog.getByText('you will be signed out').waitFor();
      await assertAccessible(page, 'revoke dialog');
      await dialog.getByRole('button', { name: 'Revoke key' }).click();
      await heading(page, 'Signed out: key revoked');
      await page.getByTestId('signed-out-reason').getByText('the API key this session used was revoked').waitFor();
      await assertAccessible(page, 'signed out (revoked)');
      const res = await page.request.get(url('/v1/agents'));
      assert.equal(res.status(), 401, 'the cookie no longer works');
    });
  });
});

describe('web console on a server without a language model or speech-to-text [sqlite]', () => {
  let server: ConsoleServer;
  let browser: Browser;

  before(async () => {
    // No LLM_* / STT_* at all: calls are refused, and the console must say so on every page.
    [server, browser] = await Promise.all([startConsoleServer({}), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the server-status banner names what is missing and how to fix it, and it is accessible', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await page.goto(`${server.baseUrl}/`);
      await page.getByLabel('API key').fill(server.apiKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Calls' }).waitFor();
      const banner = page.getByRole('region', { name: 'Server status' });
      await banner.getByText('Language model').waitFor();
      await banner.getByText('Speech to text').waitFor();
      const text = await banner.innerText();
      assert.match(text, /LLM_/, 'the fix names the LLM variable');
      assert.match(text, /STT_/, 'the fix names the STT variable');
      await page.getByRole('link', { name: 'Agents' }).click();
      await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
      await banner.getByText('Language model').waitFor();
      await screenshot(page, '20-server-status');
      await assertAccessible(page, 'agents with the server-status banner');
    } finally {
      await context.close();
    }
  });
});
