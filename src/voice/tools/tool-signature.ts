/**
 * Tool requests are signed exactly like webhooks (thunderphone-api.md §7.3): the canonical JSON
 * bytes of the arguments, HMAC-SHA256 hex in `X-ThunderPhone-Signature`. One implementation, in shared/.
 */
export { canonicalJson, signBody } from '../../shared/canonical-json';
