import { loadConfig, ConfigError } from '../config/load';
import { openStore } from '../store/db';
import { migrate } from '../store/migrate';
import { systemClock } from '../shared/clock';
import { cryptoIds } from '../shared/ids';
import { ADMIN_USAGE, UsageError, describeCliError, runAdminCommand } from './admin-command';

/**
 * `thunderphone <command>`: operator tools. `admin ...` works directly on the database of
 * DATABASE_URL (no running server or admin token needed). Exit codes: 0 ok, 1 the operation
 * failed (e.g. unknown org), 2 usage or configuration error.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${ADMIN_USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'admin') {
    process.stderr.write(`unknown command: ${command}\n\n${ADMIN_USAGE}\n`);
    return 2;
  }
  if (rest.length === 0 || rest.includes('--help')) {
    process.stdout.write(`${ADMIN_USAGE}\n`);
    return rest.length === 0 ? 2 : 0;
  }
  let config;
  try {
    config = loadConfig(process.env, { persistSecretKey: false });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const store = await openStore(config.databaseUrl);
  try {
    await migrate(store);
    const result = await runAdminCommand(rest, { db: store.db, clock: systemClock, ids: cryptoIds });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    const usage =
      err instanceof UsageError ||
      (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`error: ${describeCliError(err)}\n${usage ? `\n${ADMIN_USAGE}\n` : ''}`);
    return usage ? 2 : 1;
  } finally {
    await store.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
