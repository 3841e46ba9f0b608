import { createHmac } from 'node:crypto';
import type { FieldMessages } from '../agents/call-config';
import { canonicalJson } from '../shared/canonical-json';
import { parseCidr } from '../shared/cidr';

/** Providers of the public API. Only `manual` (your own SIP trunk) is checked for real here. */
export const VOIP_PROVIDERS = ['twilio', 'telnyx', 'signalwire', 'vonage', 'manual'] as const;
export type VoipProvider = (typeof VOIP_PROVIDERS)[number];
export const SETUP_METHODS = ['api_key', 'manual', 'guided_telnyx'] as const;

export interface ManualSipConfig {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Extra sources (CIDRs) allowed to send inbound INVITEs besides the addresses `host` resolves to. */
  inbound_allowed_addresses?: string[];
  /** `digest`: inbound INVITEs must also authenticate (401 challenge) with the connection's credentials. */
  inbound_auth?: 'none' | 'digest';
}

/** How many CIDRs `sip_config.inbound_allowed_addresses` may list. */
export const MAX_INBOUND_ALLOWED_ADDRESSES = 100;

/** Validated provider + credentials + sip_config (credentials stay plain only in memory). */
export interface VoipSettings {
  provider: VoipProvider;
  credentials: Record<string, string>;
  sipConfig: Record<string, unknown>;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^[0-9A-Fa-f:.]{2,45}$/;
const MAX_SECRET = 512;

/** sip_config keys that are never secret and are shown by GET (everything else is hidden). */
const VISIBLE_SIP_KEYS = [
  'host',
  'port',
  'transport',
  'inbound_allowed_addresses',
  'inbound_auth',
  'domain',
  'region',
  'connectionId',
  'connection_id',
];

function parseManualCredentials(raw: unknown, msgs: FieldMessages): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    msgs.add('credentials', 'Expected an object {"username", "password"}.');
    return {};
  }
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c))
    if (k !== 'username' && k !== 'password') msgs.add(`credentials.${k}`, 'Unknown field.');
  for (const k of ['username', 'password'] as const) {
    const v = c[k];
    if (v === undefined) msgs.add(`credentials.${k}`, 'This field is required.');
    else if (typeof v !== 'string' || v === '') msgs.add(`credentials.${k}`, 'This field may not be blank.');
    else if (v.length > MAX_SECRET)
      msgs.add(`credentials.${k}`, `Ensure this field has no more than ${MAX_SECRET} characters.`);
  }
  return { username: String(c.username ?? ''), password: String(c.password ?? '') };
}

function parseManualSipConfig(raw: unknown, msgs: FieldMessages): ManualSipConfig {
  const out: ManualSipConfig = { host: '', port: 5060, transport: 'udp' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    msgs.add('sip_config', 'Expected an object {"host", "port"?, "transport"?}.');
    return out;
  }
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s))
    if (!['host', 'port', 'transport', 'inbound_allowed_addresses', 'inbound_auth'].includes(k))
      msgs.add(`sip_config.${k}`, 'Unknown field.');
  if (s.host === undefined) msgs.add('sip_config.host', 'This field is required.');
  else if (typeof s.host !== 'string' || !HOST.test(s.host))
    msgs.add('sip_config.host', 'Enter a valid host name or IP address.');
  else out.host = s.host.toLowerCase();
  if (s.port !== undefined) {
    if (typeof s.port !== 'number' || !Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
      msgs.add('sip_config.port', 'Must be an integer between 1 and 65535.');
    else out.port = s.port;
  }
  if (s.transport !== undefined) {
    if (s.transport !== 'udp' && s.transport !== 'tcp') msgs.add('sip_config.transport', 'Must be "udp" or "tcp".');
    else out.transport = s.transport;
  }
  const allowed = parseAllowedAddresses(s.inbound_allowed_addresses, msgs);
  if (allowed !== undefined) out.inbound_allowed_addresses = allowed;
  if (s.inbound_auth !== undefined) {
    if (s.inbound_auth !== 'none' && s.inbound_auth !== 'digest')
      msgs.add('sip_config.inbound_auth', 'Must be "none" or "digest".');
    else out.inbound_auth = s.inbound_auth;
  }
  return out;
}

/** `inbound_allowed_addresses`: a list of IPv4/IPv6 addresses or CIDRs, normalised (`2001:DB8::/32` → lower case). */
function parseAllowedAddresses(raw: unknown, msgs: FieldMessages): string[] | undefined {
  const field = 'sip_config.inbound_allowed_addresses';
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    msgs.add(field, 'Expected a list of IP addresses or CIDRs, e.g. ["203.0.113.0/24", "2001:db8::/32"].');
    return undefined;
  }
  if (raw.length > MAX_INBOUND_ALLOWED_ADDRESSES) {
    msgs.add(field, `Ensure this list has no more than ${MAX_INBOUND_ALLOWED_ADDRESSES} entries.`);
    return undefined;
  }
  const out: string[] = [];
  raw.forEach((v: unknown, i) => {
    const cidr = typeof v === 'string' && v.length <= 64 ? parseCidr(v) : null;
    if (cidr === null) msgs.add(`${field}.${i}`, 'Enter a valid IPv4 or IPv6 address or CIDR, e.g. 203.0.113.0/24.');
    else out.push(`${cidr.address}/${cidr.prefix}`);
  });
  return out;
}

function parseOpaque(raw: unknown, field: string, msgs: FieldMessages, required: boolean): Record<string, string> {
  if (raw === undefined && !required) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    msgs.add(field, 'Expected a non-empty object.');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if ((typeof v !== 'string' && typeof v !== 'number') || String(v).length > MAX_SECRET)
      msgs.add(`${field}.${k}`, 'Must be a string.');
    else out[k] = String(v);
  }
  return out;
}

/** Parses provider + credentials + sip_config (test, create, and credential rotation). */
export function parseVoipSettings(body: Record<string, unknown>, msgs: FieldMessages): VoipSettings {
  const provider = body.provider;
  if (provider === undefined) msgs.add('provider', 'This field is required.');
  else if (!(VOIP_PROVIDERS as readonly unknown[]).includes(provider))
    msgs.add(
      'provider',
      `"${String(provider).slice(0, 40)}" is not a valid choice; one of ${VOIP_PROVIDERS.join(', ')}.`,
    );
  const p = (VOIP_PROVIDERS as readonly unknown[]).includes(provider) ? (provider as VoipProvider) : 'manual';
  if (body.credentials === undefined) msgs.add('credentials', 'This field is required.');
  if (p === 'manual') {
    const credentials = body.credentials === undefined ? {} : parseManualCredentials(body.credentials, msgs);
    if (body.sip_config === undefined) msgs.add('sip_config', 'This field is required.');
    const sip =
      body.sip_config === undefined
        ? { host: '', port: 5060, transport: 'udp' }
        : parseManualSipConfig(body.sip_config, msgs);
    return { provider: p, credentials, sipConfig: { ...sip } };
  }
  const credentials = body.credentials === undefined ? {} : parseOpaque(body.credentials, 'credentials', msgs, true);
  const sipConfig = parseOpaque(body.sip_config, 'sip_config', msgs, false);
  return { provider: p, credentials, sipConfig };
}

/** The manual trunk of validated settings. */
export function manualTrunk(
  settings: Pick<VoipSettings, 'sipConfig'>,
): Omit<ManualSipConfig, 'inbound_allowed_addresses'> {
  const s = settings.sipConfig;
  return { host: String(s.host ?? ''), port: Number(s.port ?? 5060), transport: s.transport === 'tcp' ? 'tcp' : 'udp' };
}

/** sip_config as GET shows it: host/port/transport and other non-secret keys only. */
export function redactSipConfig(sipConfig: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of VISIBLE_SIP_KEYS) if (sipConfig[k] !== undefined) out[k] = sipConfig[k];
  return out;
}

/**
 * Binds a verification to exactly these credentials and config: keyed HMAC (key derived from
 * THUNDERPHONE_SECRET_KEY), so the stored fingerprint reveals nothing about the password.
 */
export function voipFingerprint(secretKey: Buffer, settings: VoipSettings): string {
  const key = createHmac('sha256', secretKey).update('thunderphone/voip-fingerprint/v1').digest();
  // Who may call in is not part of what the trunk test checked: changing it needs no new test.
  const { inbound_allowed_addresses: _inbound, inbound_auth: _auth, ...trunk } = settings.sipConfig;
  return createHmac('sha256', key)
    .update(canonicalJson({ p: settings.provider, c: settings.credentials, s: trunk }))
    .digest('hex');
}
