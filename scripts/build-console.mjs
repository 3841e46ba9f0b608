// Builds the web console (web/ → web/dist) with Vite when its sources changed since the last build.
// Runs on `npm ci` / `npm install` (prepare), before `npm start` (prestart) and in `npm test`, so no
// extra command is ever needed. `--force` rebuilds anyway. A stamp of the inputs' hash lives in
// web/dist/.build-stamp.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const dist = join(web, 'dist');
const stampFile = join(dist, '.build-stamp');

function files(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'dist' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

function inputsHash() {
  const h = createHash('sha256');
  for (const f of files(web)) h.update(f.slice(root.length)).update('\0').update(readFileSync(f)).update('\0');
  // The versions the bundle is made of.
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  for (const dep of ['vite', 'react', 'react-dom', '@tanstack/react-query'])
    h.update(`${dep}@${lock.packages?.[`node_modules/${dep}`]?.version ?? '?'}\0`);
  return h.digest('hex');
}

const force = process.argv.includes('--force');
const hash = inputsHash();
if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash) {
  console.log('console: web/dist is up to date');
  process.exit(0);
}
const started = Date.now();
let build;
try {
  ({ build } = await import('vite'));
} catch {
  console.error('console: vite is not installed (run npm ci); the server will say the console is not built');
  process.exit(existsSync(join(dist, 'index.html')) ? 0 : 1);
}
await build({ configFile: join(web, 'vite.config.ts'), root: web, logLevel: 'warn' });
writeFileSync(stampFile, `${hash}\n`);
console.log(`console: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
