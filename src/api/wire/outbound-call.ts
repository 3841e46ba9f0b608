import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { VoiceCatalog } from '../../voice/tts/voice-catalog';
import { AppError, fieldsError } from '../../shared/errors';
import { canonicalJson } from '../../shared/canonical-json';
import { parseCallConfig } from '../../agents/call-config';
import type { PrivateTargetPolicy } from '../../net/address-policy';
import { MAX_HOLD_SECONDS } from '../../agents/agent-input';
import type { PromptVariables } from '../../agents/prompt-variables';
import type { PlaceCallInput, PlacedCall } from '../../calls/place-call';
import { Nullable } from './common';

/**
 * POST /v1/call on the wire: the body schema (documents the shape, catches wrong JSON types), the
 * request → PlaceCallInput mapping with the endpoint's 400s, and PlacedCall → the 201 body.
 */
export const PlaceCallBody = Type.Object(
  {
    from_number: Type.Optional(Type.String({ description: 'E.164, a verified VoIP number of this org' })),
    to_number: Type.Optional(Type.String({ description: 'E.164 target' })),
    agent_id: Type.Optional(Nullable(Type.Union([Type.Integer(), Type.String()]))),
    config: Type.Optional(
      Type.Unknown({ description: 'inline agent config, same schema as the call.incoming response' }),
    ),
    max_hold_seconds: Type.Optional(Nullable(Type.Integer())),
    variables: Type.Optional(Type.Unknown({ description: 'object of string/number values for {{placeholders}}' })),
    idempotency_key: Type.Optional(Type.String({ description: '≤128 chars; same key + body within 24 h replays' })),
  },
  { additionalProperties: true },
);

export const PlacedCallWire = Type.Object({
  call_id: Type.Integer(),
  status: Type.Literal('initiated'),
  idempotent_replay: Type.Optional(Type.Boolean()),
});

export function placedCallToWire(placed: PlacedCall) {
  return {
    call_id: placed.callId,
    status: 'initiated' as const,
    ...(placed.idempotentReplay ? { idempotent_replay: true } : {}),
  };
}

const E164 = /^\+[1-9][0-9]{7,14}$/;
const KEYS = Object.keys(PlaceCallBody.properties);
const MAX_VARIABLES = 100;
const MAX_VARIABLE_CHARS = 2000;
const MAX_IDEMPOTENCY_KEY_CHARS = 128;

const missingNumbers = () => new AppError('missing_numbers', 'from_number and to_number are required');

/**
 * The 400s of the endpoint (no database), in this order: "from_number and to_number are required";
 * E.164 field messages; "Provide either agent_id or config, not both"; then every other field message
 * at once (unknown fields, agent_id, config.*, max_hold_seconds, variables, idempotency_key).
 */
export function placeCallInputOf(body: unknown, voices: VoiceCatalog, targets: PrivateTargetPolicy): PlaceCallInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw missingNumbers();
  const b = body as Record<string, unknown>;
  const absent = (v: unknown) => v === undefined || v === null || v === '';
  if (absent(b.from_number) || absent(b.to_number)) throw missingNumbers();
  const fields: Record<string, string[]> = {};
  const add = (f: string, m: string) => (fields[f] ??= []).push(m);
  for (const f of ['from_number', 'to_number'] as const)
    if (typeof b[f] !== 'string' || !E164.test(b[f])) add(f, 'Enter a valid E.164 phone number, e.g. +15551234567.');
  if (Object.keys(fields).length > 0) throw fieldsError(fields);
  const hasAgent = b.agent_id !== undefined && b.agent_id !== null;
  const hasConfig = b.config !== undefined && b.config !== null;
  if (hasAgent && hasConfig) throw new AppError('agent_and_config', 'Provide either agent_id or config, not both');
  for (const k of Object.keys(b)) if (!KEYS.includes(k)) add(k, 'Unknown field.');

  let agent: PlaceCallInput['agent'] = { source: 'number_outbound_agent' };
  if (hasAgent) {
    const raw = typeof b.agent_id === 'string' && /^[0-9]{1,15}$/.test(b.agent_id) ? Number(b.agent_id) : b.agent_id;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) add('agent_id', 'A valid integer is required.');
    else agent = { source: 'agent', agentId: raw };
  }
  if (hasConfig) {
    const parsed = parseCallConfig(b.config, voices, targets);
    if (parsed.ok) agent = { source: 'inline', config: parsed.config };
    else
      for (const [f, msgs] of Object.entries(parsed.fields))
        for (const m of msgs) add(f === 'non_field_errors' ? 'config' : `config.${f}`, m);
  }
  let maxHoldSeconds: number | null | undefined;
  if (b.max_hold_seconds !== undefined) {
    const v = b.max_hold_seconds;
    if (v === null) maxHoldSeconds = null;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_HOLD_SECONDS)
      add('max_hold_seconds', `Must be an integer between 0 and ${MAX_HOLD_SECONDS}.`);
    else maxHoldSeconds = v;
  }
  const variables: PromptVariables = {};
  if (b.variables !== undefined && b.variables !== null) {
    if (typeof b.variables !== 'object' || Array.isArray(b.variables))
      add('variables', 'Expected an object of string or number values.');
    else {
      const entries = Object.entries(b.variables as Record<string, unknown>);
      if (entries.length > MAX_VARIABLES) add('variables', `At most ${MAX_VARIABLES} variables.`);
      for (const [k, v] of entries) {
        if (typeof v === 'string' && v.length <= MAX_VARIABLE_CHARS) variables[k] = v;
        else if (typeof v === 'number' && Number.isFinite(v)) variables[k] = v;
        else add(`variables.${k}`, `Must be a string (at most ${MAX_VARIABLE_CHARS} characters) or a number.`);
      }
    }
  }
  let idempotency: PlaceCallInput['idempotency'];
  if (b.idempotency_key !== undefined && b.idempotency_key !== null) {
    const key = b.idempotency_key;
    if (typeof key !== 'string' || key === '' || key.length > MAX_IDEMPOTENCY_KEY_CHARS)
      add('idempotency_key', `Must be a non-empty string of at most ${MAX_IDEMPOTENCY_KEY_CHARS} characters.`);
    // The request's fingerprint: the same key with another body is a conflict, not a replay.
    else idempotency = { key, requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex') };
  }
  if (Object.keys(fields).length > 0) throw fieldsError(fields);
  return {
    from: b.from_number as string,
    to: b.to_number as string,
    agent,
    maxHoldSeconds,
    variables,
    idempotency,
  };
}
