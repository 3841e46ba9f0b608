import {
  classifyAddress,
  isAddressAllowed,
  isIpLiteral,
  isLocalhostName,
  type PrivateTargetPolicy,
} from './address-policy';

/**
 * The address part of the save-time URL rules (webhook and tool endpoint URLs): loopback names
 * and literals are refused under ALLOW_PRIVATE_TARGETS=none, private literals (also IPv6 forms
 * that embed a private IPv4 address) unless it is `all`. Returns a user-facing reason, or null.
 * Host names are resolved and checked again on every request by the guarded HTTP client.
 */
export function targetHostProblem(url: URL, policy: PrivateTargetPolicy): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIpLiteral(host);
  const loopback = isLocalhostName(host) || (literal && classifyAddress(host) === 'loopback');
  if (loopback && policy === 'none')
    return 'Loopback targets are not allowed on this server (ALLOW_PRIVATE_TARGETS=none).';
  if (literal && !isAddressAllowed(host, policy))
    return 'Private network targets are not allowed on this server (ALLOW_PRIVATE_TARGETS).';
  return null;
}
