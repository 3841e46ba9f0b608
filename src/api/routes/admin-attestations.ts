import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { IdParams, errorResponses } from '../wire/common';
import { AttestationWire, attestationToWire } from '../wire/campaign';
import {
  getOutboundAttestation,
  recordOutboundAttestation,
  revokeOutboundAttestation,
} from '../../campaigns/outbound-attestation';

/**
 * The operator records an org's outbound-calling attestation (thunderphone-api.md §3.11): an
 * org's own API key cannot. Same as `thunderphone admin attest <org_id> --by <name>`.
 */
export const adminAttestationRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock } = deps;
  const tags = ['admin'];
  const Out = Type.Composite([AttestationWire, Type.Object({ org_id: Type.Integer() })]);

  app.post(
    '/orgs/:id/outbound-attestation',
    {
      schema: {
        tags,
        summary: "Record the org's outbound-calling (TCPA) attestation: who attested and the text",
        params: IdParams,
        body: Type.Object(
          {
            attested_by: Type.String(),
            attestation_text: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Out, ...errorResponses },
      },
    },
    async (req, reply) => {
      const orgId = Number(req.params.id);
      const a = await recordOutboundAttestation(store.db, clock, orgId, {
        attestedBy: req.body.attested_by,
        ...(req.body.attestation_text !== undefined ? { text: req.body.attestation_text } : {}),
      });
      return reply.status(201).send({ org_id: orgId, ...attestationToWire(a) });
    },
  );

  app.get(
    '/orgs/:id/outbound-attestation',
    {
      schema: {
        tags,
        summary: "The org's outbound attestation",
        params: IdParams,
        response: { 200: Out, ...errorResponses },
      },
    },
    async (req) => {
      const orgId = Number(req.params.id);
      return { org_id: orgId, ...attestationToWire(await getOutboundAttestation(store.db, orgId)) };
    },
  );

  app.delete(
    '/orgs/:id/outbound-attestation',
    {
      schema: {
        tags,
        summary: 'Remove the attestation (campaigns can no longer start)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await revokeOutboundAttestation(store.db, Number(req.params.id));
      return reply.status(204).send(null);
    },
  );
};
