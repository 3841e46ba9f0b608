import type { Config } from '../config/config';
import type { ReadinessCheck } from './readiness';

export interface StartBannerInput {
  config: Config;
  /** `sqlite` or `postgres`. */
  dialect: string;
  sipPort: number;
  /** Every check by name, database first (the same as GET /v1/healthz `checks`). */
  checks: Record<string, ReadinessCheck>;
  /** The development org's API key, when this start created it. */
  firstKey?: string | undefined;
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db` (SQLite paths unchanged). */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

const STATUS_WIDTH = 9;
const NAME_WIDTH = 10;
const indent = ' '.repeat(2 + STATUS_WIDTH + NAME_WIDTH);

/** One check as banner lines: status, name, what is there or why not, then the fix and the optional extras. */
function checkLines(name: string, check: ReadinessCheck): string[] {
  const head = `  ${check.status.padEnd(STATUS_WIDTH)}${name.padEnd(NAME_WIDTH)}`;
  const lines = [`${head}${check.status === 'ok' ? check.detail : (check.reason ?? check.detail)}`];
  if (check.fix) lines.push(`${indent}fix: ${check.fix}`);
  const optional = check.optional as { engine: string; improves: string; fix: string }[] | undefined;
  for (const o of optional ?? []) lines.push(`${indent}optional: ${o.engine} (${o.improves}): ${o.fix}`);
  return lines;
}

/**
 * What `npm start` prints once it listens: where the API is, then every part with ok / missing /
 * warning and its fix (GET /v1/healthz answers the same), then the development org's key.
 */
export function formatStartBanner(b: StartBannerInput): string {
  const { config } = b;
  const base = config.http.publicBaseUrl;
  const checks = Object.entries(b.checks);
  const count = (status: string): number => checks.filter(([, c]) => c.status === status).length;
  const summary =
    [
      count('missing') + count('down') > 0 ? `${count('missing') + count('down')} missing` : '',
      count('warning') > 0 ? `${count('warning')} warning${count('warning') > 1 ? 's' : ''}` : '',
    ]
      .filter(Boolean)
      .join(', ') || 'all ok';
  return (
    [
      `ThunderPhone listening on http://${config.http.host}:${config.http.port} (${b.dialect})`,
      `  Console:   ${base}/   (sign in with an org API key, or the admin token for the operator view)`,
      `  API:       ${base}/v1   (try: curl ${base}/v1/healthz)`,
      `  API docs:  ${base}/docs   OpenAPI: ${base}/openapi.json`,
      `  SIP:       udp+tcp ${config.sip.bind}:${b.sipPort} (public address ${config.sip.publicAddress})`,
      config.adminToken === undefined
        ? '  Admin API: off (set THUNDERPHONE_ADMIN_TOKEN)'
        : `  Admin API: ${base}/admin/v1`,
      '',
      `Checks (${summary}; GET /v1/healthz reports the same):`,
      ...checks.flatMap(([name, check]) => checkLines(name, check)),
      b.firstKey === undefined
        ? ''
        : `\nCreated a development org with a $10.00 balance. Its API key (shown once, store it now;\nsign in to the console at ${base}/ with it):\n\n    ${b.firstKey}\n`,
    ].join('\n') + '\n'
  );
}
