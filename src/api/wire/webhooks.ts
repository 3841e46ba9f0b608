import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common';

/** Webhook endpoint object (thunderphone-api.md §3.15). */
export const WebhookEndpointWire = Type.Object({
  id: Type.String(),
  label: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('failing')]),
  secret_hint: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** Create response: the endpoint plus the full secret, shown this once. */
export const WebhookEndpointWithSecretWire = Type.Object({ ...WebhookEndpointWire.properties, secret: Type.String() });

export const RotatedSecretWire = Type.Object({
  ...WebhookEndpointWire.properties,
  secret: Type.String(),
  previous_secret_expires_at: Nullable(Timestamp),
});

export const WebhookAttemptWire = Type.Object({
  id: Type.Integer(),
  delivery_id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  attempt: Type.Integer(),
  outcome: Type.String(),
  status_code: Nullable(Type.Integer()),
  latency_ms: Type.Integer(),
  error: Nullable(Type.String()),
  created_at: Timestamp,
});

export const WebhookTestResultWire = Type.Object({ ...WebhookAttemptWire.properties, success: Type.Boolean() });

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Events = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 });

export const CreateWebhookEndpointBody = Type.Object(
  { label: Type.String({ maxLength: 500 }), url: Url, events: Type.Optional(Events) },
  { additionalProperties: false },
);

export const UpdateWebhookEndpointBody = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 500 })),
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    status: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const RotateSecretBody = Type.Object(
  { grace_period_seconds: Type.Optional(Type.Integer()) },
  { additionalProperties: false },
);

/** Legacy single-URL webhook (§3.2): the org secret is readable here. */
export const LegacyWebhookWire = Type.Object({
  url: Nullable(Type.String()),
  secret: Nullable(Type.String()),
  created_at: Nullable(Timestamp),
  updated_at: Nullable(Timestamp),
});

export const LegacyWebhookBody = Type.Object({ url: Nullable(Url) }, { additionalProperties: false });
