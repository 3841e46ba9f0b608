import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { notFound, fieldsError } from '../../shared/errors';
import type { Row } from '../../store/tables';
import { IdParams, Timestamp, errorResponses } from '../wire/common';
import { MAX_ORG_NAME, getOrg, renameOrg } from '../../orgs/org-queries';

const OrgWire = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** With an API key the caller is the org's owner (there are no member accounts in this server). */
const orgToWire = (o: Row<'orgs'>) => ({
  id: Number(o.id),
  name: o.name,
  role: 'owner',
  created_at: o.created_at,
  updated_at: o.updated_at,
});

export const orgRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock } = deps;
  const tags = ['orgs'];

  app.get(
    '/orgs',
    {
      schema: {
        tags,
        summary: "The API key's organization",
        response: { 200: Type.Array(OrgWire), ...errorResponses },
      },
    },
    async (req) => {
      const org = await getOrg(store.db, req.auth.orgId);
      return org ? [orgToWire(org)] : [];
    },
  );

  app.get(
    '/orgs/:id',
    {
      schema: {
        tags,
        summary: 'Get the organization',
        params: IdParams,
        response: { 200: OrgWire, ...errorResponses },
      },
    },
    async (req) => {
      const id = Number(req.params.id);
      const org = id === req.auth.orgId ? await getOrg(store.db, id) : undefined;
      if (!org) throw notFound('Organization', 'org_not_found');
      return orgToWire(org);
    },
  );

  app.patch(
    '/orgs/:id',
    {
      schema: {
        tags,
        summary: 'Rename the organization',
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: OrgWire, ...errorResponses },
      },
    },
    async (req) => {
      const id = Number(req.params.id);
      if (id !== req.auth.orgId) throw notFound('Organization', 'org_not_found');
      const name = req.body.name;
      if (name !== undefined && (name.trim() === '' || name.length > MAX_ORG_NAME))
        throw fieldsError({ name: [`Must be 1-${MAX_ORG_NAME} characters.`] });
      const org = name === undefined ? await getOrg(store.db, id) : await renameOrg(store.db, clock, id, name);
      if (!org) throw notFound('Organization', 'org_not_found');
      return orgToWire(org);
    },
  );
};
