import assert from 'node:assert/strict';
import type { ApiHarness, TestOrg } from './api-harness';

export const TRUNK = {
  provider: 'manual',
  credentials: { username: 'alice', password: 'secret' },
  sip_config: { host: '127.0.0.1', port: 5060, transport: 'udp' },
};

/** POST /v1/voip-connections/test then create (the verifier must pass for TRUNK's password). */
export async function createTrunk(
  h: ApiHarness,
  org: TestOrg,
  trunk: { sip_config: Record<string, unknown> } & Omit<typeof TRUNK, 'sip_config'> = TRUNK,
): Promise<any> {
  const test = await h.request('POST', '/v1/voip-connections/test', { key: org.apiKey, body: trunk });
  assert.equal(test.status, 200, test.text);
  assert.equal(test.body.status, 'pass', test.text);
  const created = await h.request('POST', '/v1/voip-connections', {
    key: org.apiKey,
    body: {
      name: 'My trunk',
      setup_method: 'manual',
      ...trunk,
      verification_evidence_id: test.body.verification_evidence_id,
    },
  });
  assert.equal(created.status, 201, created.text);
  return created.body;
}

/** Trunk + import + verify-voip: an outbound-eligible number. Returns the phone number object. */
export async function verifiedNumber(h: ApiHarness, org: TestOrg, number: string, trunk = TRUNK): Promise<any> {
  const conn = await createTrunk(h, org, trunk);
  const imported = await h.request('POST', `/v1/voip-connections/${conn.id}/import-numbers`, {
    key: org.apiKey,
    body: { numbers: [number] },
  });
  assert.equal(imported.status, 201, imported.text);
  const verified = await h.request('POST', `/v1/phone-numbers/${imported.body[0].id}/verify-voip`, { key: org.apiKey });
  assert.equal(verified.status, 200, verified.text);
  assert.equal(verified.body.outbound_eligible, true, verified.text);
  return verified.body;
}

export async function createAgent(h: ApiHarness, org: TestOrg, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await h.request('POST', '/v1/agents', {
    key: org.apiKey,
    body: { name: 'Caller', prompt: 'You call {{name}} about order {{order}}.', voice: 'en-US-James1', ...extra },
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}
