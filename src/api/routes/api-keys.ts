import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { emptyBodyAsObject } from '../plugins/empty-body';
import { notFound, fieldsError } from '../../shared/errors';
import type { Row } from '../../store/tables';
import { Nullable, Timestamp, UuidParams, errorResponses } from '../wire/common';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../orgs/api-keys';

const ApiKeyWire = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key_prefix: Type.String(),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
});

const keyToWire = (k: Row<'api_keys'>) => ({
  id: k.id,
  name: k.name,
  key_prefix: k.key_prefix,
  is_active: k.revoked_at === null,
  created_at: k.created_at,
  last_used_at: k.last_used_at,
  revoked_at: k.revoked_at,
});

export const MAX_KEY_NAME = 120;

export const apiKeyRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, ids } = deps;
  const tags = ['api-keys'];

  app.get(
    '/developer/api-keys',
    {
      schema: {
        tags,
        summary: 'API keys of the organization (active and revoked, newest first)',
        response: { 200: Type.Array(ApiKeyWire), ...errorResponses },
      },
    },
    async (req) => (await listApiKeys(store.db, req.auth.orgId)).map(keyToWire),
  );

  app.post(
    '/developer/api-keys',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Create an API key; the raw key is returned once in `key` and stored only as a hash',
        body: Type.Object({ name: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 201: Type.Object({ ...ApiKeyWire.properties, key: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const name = req.body.name ?? 'Default key';
      if (name.trim() === '' || name.length > MAX_KEY_NAME)
        throw fieldsError({ name: [`Must be 1-${MAX_KEY_NAME} characters.`] });
      const issued = await issueApiKey(store.db, ids, req.auth.orgId, name, clock.nowIso());
      return reply.status(201).send({ ...keyToWire(issued.row), key: issued.rawKey });
    },
  );

  app.delete(
    '/developer/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key (permanent; it gets 401 at once)',
        params: UuidParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await revokeApiKey(store.db, req.auth.orgId, req.params.id, clock.nowIso())))
        throw notFound('API key', 'api_key_not_found');
      return reply.status(204).send(null);
    },
  );
};
