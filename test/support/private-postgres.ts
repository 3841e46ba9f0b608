import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/*
 * A PostgreSQL server of the test's own: initdb into a temp dir, started on a free loopback port,
 * restarted / stopped / started by the test, removed afterwards (also when the test process dies:
 * an exit hook stops it). Never touch the shared server on 5432 in tests that restart the database.
 * Binaries: PG_BIN_DIR, else /usr/lib/postgresql/15/bin. As root, every command runs as the
 * `postgres` user (initdb refuses root) in a temp dir owned by it. Trust auth, user `postgres`; fsync off
 * (a crash of the PostgreSQL server loses nothing committed, a crash of the machine would).
 */

const BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const COMMAND_TIMEOUT_MS = 60_000;

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (the maintenance database). */
  readonly url: string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m <mode>` (waits until it accepts connections again). */
  restart(mode?: StopMode): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  start(): Promise<void>;
  /** True while the server accepts connections (pg_isready). */
  isReady(): Promise<boolean>;
  /**
   * `pg_terminate_backend` on every other client connection (what an operator's
   * "terminating connection due to administrator command" looks like). Resolves with the count.
   */
  terminateBackends(): Promise<number>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server (immediate) and removes its directory. Idempotent. */
  destroy(): Promise<void>;
}

const live = new Set<{ dataDir: string; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of live) {
      spawnSync(...asPostgres(join(BIN_DIR, 'pg_ctl'), ['stop', '-D', s.dataDir, '-m', 'immediate', '-w']), {
        timeout: 10_000,
        stdio: 'ignore',
      });
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** [command, args] run as the postgres user when we are root. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function run(cmd: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
  const [file, argv] = asPostgres(join(BIN_DIR, cmd), args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** initdb + start on a free port (a few tries if another process takes the port first). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'tp-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const entry = { dir, dataDir };
  live.add(entry);
  let destroyed = false;
  try {
    if (isRoot()) {
      const pgUser = spawnSync('id', ['-u', 'postgres']).stdout.toString().trim();
      const pgGroup = spawnSync('id', ['-g', 'postgres']).stdout.toString().trim();
      chownSync(dir, Number(pgUser), Number(pgGroup));
    }
    await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    let port = 0;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && port === 0; attempt++) {
      const candidate = await freeTcpPort();
      appendFileSync(
        join(dataDir, 'postgresql.auto.conf'),
        [
          `port = ${candidate}`,
          `listen_addresses = '127.0.0.1'`,
          `unix_socket_directories = '${dir}'`,
          'fsync = off',
          'full_page_writes = off',
          'max_connections = 60',
          'shared_buffers = 16MB',
          '',
        ].join('\n'),
      );
      try {
        await run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30']);
        port = candidate;
      } catch (err) {
        lastError = err;
      }
    }
    if (port === 0) throw lastError ?? new Error('private PostgreSQL did not start');
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

    const withAdmin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      c.on('error', () => undefined);
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end().catch(() => undefined);
      }
    };

    const server: PrivatePostgres = {
      port,
      url,
      async createDatabase(name) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('invalid database name');
        await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      async restart(mode = 'fast') {
        await run('pg_ctl', ['restart', '-D', dataDir, '-l', logFile, '-m', mode, '-w', '-t', '30']);
      },
      async stop(mode = 'fast') {
        await run('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30']);
      },
      async start() {
        await run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30']);
      },
      async isReady() {
        return run('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-t', '2'], 5000).then(
          () => true,
          () => false,
        );
      },
      async terminateBackends() {
        return withAdmin(async (c) => {
          const res = await c.query(
            `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE pid <> pg_backend_pid() AND backend_type = 'client backend') t`,
          );
          return Number((res.rows[0] as { n: number }).n);
        });
      },
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : ''),
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30']).catch(() => undefined);
        live.delete(entry);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  } catch (err) {
    await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']).catch(() => undefined);
    live.delete(entry);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
