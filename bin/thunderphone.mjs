#!/usr/bin/env node
// `npx thunderphone ...`: runs src/cli/main.ts through tsx (node --import tsx), passing the
// arguments, stdio and exit code through.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// tsx resolved from this package, so the command works from any working directory.
const tsx = import.meta.resolve('tsx');
const res = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
if (res.error) {
  process.stderr.write(`${res.error.message}\n`);
  process.exit(1);
}
process.exit(res.status ?? 1);
