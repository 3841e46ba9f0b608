import { classifyAddress, isIpLiteral, isLocalhostName, type PrivateTargetPolicy } from '../net/address-policy';
import { targetHostProblem } from '../net/target-host';

/**
 * Webhook URL rule (§3.15): `https://` anywhere public; `http://` only to this machine
 * (localhost, 127.0.0.0/8, ::1) when ALLOW_PRIVATE_TARGETS is `loopback` or `all`, or to a private
 * address literal when it is `all`. Returns a user-facing reason, or null when the URL is fine.
 * Host names are checked again (after DNS) on every delivery by the guarded HTTP client.
 */
export function webhookUrlProblem(raw: string, policy: PrivateTargetPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Enter a valid URL.';
  }
  if (raw.length > 2048) return 'Ensure this URL has no more than 2048 characters.';
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'Only https:// URLs (or http://localhost) are allowed.';
  if (url.username !== '' || url.password !== '') return 'URLs with credentials are not allowed.';
  const hostProblem = targetHostProblem(url, policy);
  if (hostProblem !== null) return hostProblem;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIpLiteral(host);
  const local = isLocalhostName(host) || (literal && classifyAddress(host) === 'loopback');
  const privateLiteral = literal && classifyAddress(host) === 'private';
  if (url.protocol === 'http:' && !local && !(privateLiteral && policy === 'all'))
    return 'Only https:// URLs (or http://localhost) are allowed.';
  return null;
}
