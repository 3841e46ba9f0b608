#!/usr/bin/env bash
# `npm test`: system dependencies, typecheck, format, lint, import boundaries and cycles, then every test
# on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
echo "== console"; node scripts/build-console.mjs
echo "== typecheck"; npx tsc --noEmit -p . && npx tsc --noEmit -p web
echo "== format"; npx prettier --check --log-level warn src test bench scripts web/src web/vite.config.ts eslint.config.js .dependency-cruiser.cjs
echo "== lint"; npx eslint --max-warnings 0 src test bench web/src
echo "== boundaries"; npx depcruise --config .dependency-cruiser.cjs src test bench scripts
echo "== tests"; node scripts/run-tests.mjs "$@"
