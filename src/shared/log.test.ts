import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './log';
import { createApiHarness } from '../../test/support/api-harness';
import { testDialects } from '../../test/support/dialects';

/** A pino destination that keeps every line. */
function collect(): { stream: Writable; lines: () => Record<string, any>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const raw = (): string => chunks.join('');
  return {
    stream,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>),
  };
}

const API_KEY = 'sk_live_0123456789abcdef0123456789abcdef0123456789abcdef';
const PASSWORD = 'hunter2-trunk-password';
const WEBHOOK_SECRET = 'whsec_q1w2e3r4t5y6u7i8o9p0';

describe('logging (pino)', () => {
  test('JSON lines with level, time and message; errors keep stack and cause', () => {
    const out = collect();
    const log = createLogger({ level: 'debug', base: { service: 'thunderphone' }, destination: out.stream });
    const cause = new Error('connection reset');
    log.child({ callId: 42, orgId: 7 }).error({ err: new Error('dialing failed', { cause }) }, 'call failed');
    const [line] = out.lines();
    assert.equal(line?.level, 'error');
    assert.equal(line?.msg, 'call failed');
    assert.equal(line?.service, 'thunderphone');
    assert.equal(line?.callId, 42);
    assert.equal(line?.orgId, 7);
    assert.match(String(line?.time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(line?.err.message, 'dialing failed');
    assert.match(line?.err.stack, /log\.test\.ts/);
    assert.match(JSON.stringify(line?.err), /connection reset/);
  });

  test('secrets never reach a line, at any depth, in keys or in values', () => {
    const out = collect();
    const log = createLogger({ level: 'debug', destination: out.stream });
    log.info(
      {
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        trunk: { host: 'sip.example.com', credentials: { username: 'alice', password: PASSWORD } },
        endpoint: { url: 'https://hooks.example.com', secret: WEBHOOK_SECRET },
        note: `the key ${API_KEY} was pasted into a free-text field`,
        api_key: API_KEY,
      },
      'configuration received',
    );
    log.child({ token: 'tok-abc' }).warn({ err: Object.assign(new Error('bad'), { password: PASSWORD }) }, 'x');
    const raw = out.raw();
    for (const secret of [API_KEY, PASSWORD, WEBHOOK_SECRET, 'tok-abc']) assert.ok(!raw.includes(secret), secret);
    const [first] = out.lines();
    assert.equal(first?.trunk.host, 'sip.example.com');
    assert.equal(first?.trunk.credentials, '[redacted]');
    assert.equal(first?.headers['content-type'], 'application/json');
    assert.match(first?.note, /sk_live_\[redacted\]/);
  });

  for (const dialect of testDialects()) {
    test(`HTTP requests log their request id, and a crashing route's error keeps its stack [${dialect}]`, async () => {
      const out = collect();
      const h = await createApiHarness(dialect, {
        log: createLogger({ level: 'info', destination: out.stream }),
        customize: (deps) => {
          deps.voices.list = () => {
            const trunk = { host: 'sip.example.com', credentials: { username: 'alice', password: PASSWORD } };
            throw Object.assign(new Error('voice catalog crashed', { cause: new Error('socket hang up') }), { trunk });
          };
        },
      });
      try {
        const org = await h.createOrg();
        const res = await h.request('GET', '/v1/voices', {
          key: org.apiKey,
          headers: { 'x-request-id': 'req-log-test-1' },
        });
        assert.equal(res.status, 500);
        assert.equal(res.body.code, 'internal_error');
        const lines = out.lines();
        const crash = lines.find((l) => l.msg === 'unhandled error');
        assert.ok(crash, 'the crash is logged');
        assert.equal(crash.requestId, 'req-log-test-1');
        assert.match(crash.err.stack, /voice catalog crashed/);
        assert.match(JSON.stringify(crash.err), /socket hang up/);
        const incoming = lines.find((l) => l.requestId === 'req-log-test-1' && l.msg === 'incoming request');
        assert.deepEqual(incoming?.req, {
          method: 'GET',
          url: '/v1/voices',
          route: '/v1/voices',
          remoteAddress: '127.0.0.1',
        });
        const completed = lines.find((l) => l.requestId === 'req-log-test-1' && l.msg === 'request completed');
        assert.deepEqual(completed?.res, { statusCode: 500 });
        // A secret in the query string (a key pasted as ?api_key=…) is masked in the logged URL.
        await h.request('GET', `/v1/voices?api_key=${org.apiKey}&limit=5`, {
          key: org.apiKey,
          headers: { 'x-request-id': 'req-log-test-2' },
        });
        const second = out.lines().find((l) => l.requestId === 'req-log-test-2' && l.msg === 'incoming request');
        assert.equal(second?.req.url, '/v1/voices?api_key=[redacted]&limit=5');
        const raw = out.raw();
        assert.ok(!raw.includes(PASSWORD), 'the trunk password is not logged');
        assert.ok(!raw.includes(org.apiKey), 'the API key is not logged');
      } finally {
        await h.close();
      }
    });
  }
});
