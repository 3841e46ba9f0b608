import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { IdParams, Timestamp, errorResponses } from '../wire/common';
import { LedgerEntryWire, ledgerToWire } from '../wire/ledger';
import { listAllOrgs } from '../../orgs/org-queries';
import { adminCreateOrg, adminCredit } from '../../orgs/operator-admin';

const AdminOrgWire = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  trial: Type.Boolean(),
  balance_cents: Type.Integer(),
  created_at: Timestamp,
});

/** Operator admin API (self-hosting-contract.md §3). Same operations as `thunderphone admin`. */
export const adminOrgRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, ids } = deps;
  const tags = ['admin'];

  app.post(
    '/orgs',
    {
      schema: {
        tags,
        summary: 'Create an organization with an opening balance and its first API key',
        body: Type.Object(
          { name: Type.String(), balance_cents: Type.Optional(Type.Integer()), trial: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            org: Type.Object({ id: Type.Integer(), name: Type.String(), trial: Type.Boolean(), created_at: Timestamp }),
            api_key: Type.String(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const created = await adminCreateOrg(store.db, clock, ids, {
        name: req.body.name,
        balanceCents: req.body.balance_cents,
        trial: req.body.trial,
      });
      const o = created.org;
      return reply.status(201).send({
        org: { id: Number(o.id), name: o.name, trial: o.trial === 1, created_at: o.created_at },
        api_key: created.apiKey,
      });
    },
  );

  app.get(
    '/orgs',
    {
      schema: {
        tags,
        summary: 'Every organization with its balance',
        response: { 200: Type.Array(AdminOrgWire), ...errorResponses },
      },
    },
    async () =>
      (await listAllOrgs(store.db)).map((o) => ({
        id: Number(o.id),
        name: o.name,
        trial: o.trial === 1,
        balance_cents: Number(o.balance_cents),
        created_at: o.created_at,
      })),
  );

  app.post(
    '/orgs/:id/credits',
    {
      schema: {
        tags,
        summary: 'Add (or, negative, remove) credit: one ledger entry, the balance changes by exactly that amount',
        params: IdParams,
        body: Type.Object(
          { amount_cents: Type.Integer(), description: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ ...LedgerEntryWire.properties, org_id: Type.Integer() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const orgId = Number(req.params.id);
      const entry = await adminCredit(store.db, clock, orgId, req.body.amount_cents, req.body.description);
      return reply.status(201).send({ ...ledgerToWire(entry), org_id: orgId });
    },
  );
};
