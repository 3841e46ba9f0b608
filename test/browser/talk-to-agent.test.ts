import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { ASTERISK_SOUNDS } from '../../src/voice/testing/speech-fixtures';
import { decodeWav, encodeWav } from '../../src/audio/wav';
import { resample } from '../../src/audio/resampler';
import { startConsoleServer, type ConsoleServer } from './support/console-server';
import { assertAccessible, launchChromium, screenshot } from './support/browser';
import { untilValue } from '../support/until';

/*
 * "Talk to this agent": Chromium's fake microphone plays a real speech recording (Allison's
 * "hello world" from asterisk-core-sounds, then silence, looped), the console streams it over
 * /v1/realtime authenticated by its session cookie only, and the agent's answer appears in the
 * live transcript. The real server (src/main.ts), real TTS; FAKE OpenAI-compatible STT/LLM.
 */
const HEARD = 'Hello world.';
const REPLY = 'Hello! You are talking to the Acme test agent.';

describe('Talk to this agent in Chromium with a fake microphone [sqlite]', () => {
  let llm: FakeLlmServer;
  let stt: FakeSttServer;
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    [llm, stt] = await Promise.all([startFakeOpenAiLlmServer([REPLY]), startFakeOpenAiSttServer([HEARD])]);
    server = await startConsoleServer({
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake-model',
      STT_BASE_URL: stt.baseUrl,
    });
    // 48 kHz 16-bit mono WAV: the speech, then 4 s of silence (the fake device loops the file).
    const speech = decodeWav(readFileSync(join(ASTERISK_SOUNDS, 'hello-world.wav')));
    const padded = new Int16Array(speech.samples.length + speech.sampleRateHz * 4);
    padded.set(speech.samples);
    const wavPath = join(server.dataDir, 'fake-mic.wav');
    writeFileSync(wavPath, encodeWav(resample(padded, speech.sampleRateHz, 48000), 48000));
    browser = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavPath}`,
    ]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['microphone'], { origin: server.baseUrl });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([llm?.close(), stt?.close()]);
  });

  test('the microphone reaches the agent over /v1/realtime and its answer shows in the live transcript', async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${server.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      });
    const created = await api('/v1/agents', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Talk test',
        prompt: 'You are the Acme test agent.',
        voice: 'en-US-James1',
        inbound_speak_order: 'caller_first',
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const agent = (await created.json()) as { id: number };

    try {
      await page.goto(`${server.baseUrl}/`);
      await page.getByLabel('API key').fill(server.apiKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Calls' }).waitFor();
      await page.goto(`${server.baseUrl}/agents/${agent.id}`);
      await page.getByRole('button', { name: 'Start talking' }).click();
      await page
        .getByTestId('talk-state')
        .getByText(/listening|speaking/)
        .waitFor();
      const transcript = page.locator('ol.transcript');
      await transcript.getByText(HEARD).waitFor({ timeout: 45_000 });
      await transcript.getByText(REPLY).waitFor({ timeout: 45_000 });
      await screenshot(page, 'talk-to-agent');
      await assertAccessible(page, 'agent page while talking');
      await page.getByRole('button', { name: 'Hang up' }).click();
      await page.getByTestId('talk-state').getByText('ended').waitFor();
    } catch (err) {
      await screenshot(page, 'talk-to-agent-failed').catch(() => undefined);
      throw new Error(`${(err as Error).message}\nserver log:\n${server.logs().slice(-3000)}`, { cause: err });
    }
    assert.deepEqual(errors, [], 'no uncaught error in the page');
    // The page never held a key: the socket was opened with the console's cookie alone.
    const stored = String(
      await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })'),
    );
    assert.ok(!stored.includes('sk_live_'));
    assert.ok(
      stt.uploads.some((u) => u.durationMs > 500),
      'the fake microphone speech reached STT',
    );

    // The session is a call: direction mic, completed, with both turns in its transcript.
    const call = await untilValue('the talk session is a completed call', async () => {
      const res = await api('/v1/calls');
      const body = (await res.json()) as { results?: any[] } | any[];
      const calls = Array.isArray(body) ? body : (body.results ?? []);
      const c = calls.find((x) => x.direction === 'mic');
      return c?.status === 'completed' ? c : undefined;
    });
    assert.equal(call.agent_id ?? agent.id, agent.id);
    const t = (await (await api(`/v1/calls/${call.id ?? call.call_id}/transcript`)).json()) as {
      transcripts: { role: string; content: string }[];
    };
    assert.deepEqual(t.transcripts[0], { ...t.transcripts[0], role: 'user', content: HEARD });
    // What was played before the hang-up (the transcript keeps only what the caller heard).
    const said = t.transcripts.find((x) => x.role === 'assistant');
    assert.ok(said && REPLY.startsWith(said.content) && said.content.length > 5, JSON.stringify(t));
  });
});
