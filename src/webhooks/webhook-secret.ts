import type { IdGenerator } from '../shared/ids';

/** `whsec_` + 42 hex characters (48 characters in all). Shown once; stored sealed. */
export function newWebhookSecret(ids: IdGenerator): string {
  return ids.token('whsec_', 21);
}

/** `whsec_abc…xyz12`: enough to recognise a secret, useless to forge with. */
export function secretHint(secret: string): string {
  const prefix = secret.startsWith('whsec_') ? 'whsec_' : '';
  const rest = secret.slice(prefix.length);
  return `${prefix}${rest.slice(0, 3)}…${rest.slice(-5)}`;
}
