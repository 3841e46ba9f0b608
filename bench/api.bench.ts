/**
 * API figures with autocannon against a real listening server on 127.0.0.1 (file SQLite with
 * WAL, and PostgreSQL): POST /v1/call (distinct idempotency keys; the queue has no dial worker,
 * so nothing dials — the figure is validation + checks + call row + job in one transaction) and
 * GET /v1/calls/{id}. 10 connections, 5 s each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/load';
import { openStore, type DialectName, type Store } from '../src/store/db';
import { buildDeps } from '../src/app/build-deps';
import { buildServer } from '../src/api/server';
import { systemClock } from '../src/shared/clock';
import { cryptoIds } from '../src/shared/ids';
import { silentLogger } from '../src/shared/log';
import { createOrg } from '../src/orgs/org-service';
import { openTestStore } from '../test/support/dialects';
import { ScriptedTrunkVerifier } from '../src/numbers/testing/scripted-trunk-verifier';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);

interface Row {
  dialect: string;
  endpoint: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function bench(dialect: DialectName): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
  const store: Store =
    dialect === 'sqlite' ? await openStore(`sqlite:${join(dir, 'bench.db')}`) : await openTestStore('postgres');
  // Agent services must be configured or POST /v1/call is refused (503 agent_not_configured); nothing
  // dials in this bench, so the addresses are never contacted.
  const config = loadConfig(
    {
      LOG_LEVEL: 'silent',
      THUNDERPHONE_DATA_DIR: dir,
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'bench',
      STT_BASE_URL: 'http://127.0.0.1:9/v1',
    },
    { persistSecretKey: false },
  );
  const deps = await buildDeps({ config, clock: systemClock, ids: cryptoIds, log: silentLogger, store });
  deps.trunkVerifier = new ScriptedTrunkVerifier();
  const app = await buildServer(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const rows: Row[] = [];
  try {
    const { apiKey: key } = await createOrg(store.db, systemClock, cryptoIds, {
      name: 'Bench',
      balanceCents: 1_000_000,
    });
    const call = async (method: string, path: string, body?: unknown): Promise<any> => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    };
    const trunk = {
      provider: 'manual',
      credentials: { username: 'a', password: 'b' },
      sip_config: { host: '127.0.0.1' },
    };
    const ev = await call('POST', '/v1/voip-connections/test', trunk);
    const conn = await call('POST', '/v1/voip-connections', {
      ...trunk,
      name: 't',
      verification_evidence_id: ev.verification_evidence_id,
    });
    const [num] = await call('POST', `/v1/voip-connections/${conn.id}/import-numbers`, { numbers: ['+15551230001'] });
    await call('POST', `/v1/phone-numbers/${num.id}/verify-voip`);
    const agent = await call('POST', '/v1/agents', { name: 'B', prompt: 'Hello {{name}}', voice: 'en-US-James1' });
    const first = await call('POST', '/v1/call', {
      from_number: '+15551230001',
      to_number: '+15559876543',
      agent_id: agent.id,
    });
    // A bench of error answers measures nothing: stop if the setup call was refused.
    if (typeof first?.call_id !== 'number') throw new Error(`setup POST /v1/call failed: ${JSON.stringify(first)}`);

    let n = 0;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const runs: [string, autocannon.Options][] = [
      [
        'POST /v1/call',
        {
          url: `${base}/v1/call`,
          requests: [
            {
              method: 'POST',
              headers,
              setupRequest: (req) => ({
                ...req,
                body: JSON.stringify({
                  from_number: '+15551230001',
                  to_number: '+15559876543',
                  agent_id: agent.id,
                  variables: { name: 'x' },
                  idempotency_key: `bench-${n++}`,
                }),
              }),
            },
          ],
        },
      ],
      ['GET /v1/calls/{id}', { url: `${base}/v1/calls/${first.call_id}`, headers }],
    ];
    for (const [endpoint, opts] of runs) {
      const r = await autocannon({ connections: 10, duration: DURATION_S, ...opts });
      rows.push({
        dialect,
        endpoint,
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.non2xx + r.errors,
      });
    }
  } finally {
    await app.close();
    await deps.queue.stop(1000);
    await store.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const d of ['sqlite', 'postgres'] as const) rows.push(...(await bench(d)));
  console.log(`autocannon, 10 connections, ${DURATION_S} s per row, loopback`);
  console.log('dialect    endpoint              req/s    p50 ms   p99 ms   non-2xx');
  for (const r of rows)
    console.log(
      `${r.dialect.padEnd(10)} ${r.endpoint.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${String(r.errors).padStart(9)}`,
    );
}
