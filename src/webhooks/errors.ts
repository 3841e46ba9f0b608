import { AppError, notFound } from '../shared/errors';

/** Errors of the webhooks domain (codes listed in docs/errors.md). */
export function urlNotAllowed(reason: string): AppError {
  // Body: {"detail": reason, "code": "url_not_allowed", "url": [reason]} (detail + DRF field).
  return new AppError('url_not_allowed', reason, { details: { url: [reason] } });
}

export const endpointNotFound = (): AppError => notFound('Webhook endpoint', 'webhook_endpoint_not_found');
