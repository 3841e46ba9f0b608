import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { ErrorBody, IdParams, errorResponses } from '../wire/common';
import {
  ImportNumbersBody,
  PhoneNumberWire,
  VoipConnectionWire,
  VoipCreateBody,
  VoipTestBody,
  VoipTestWire,
  VoipUpdateBody,
  phoneNumberToWire,
  voipConnectionToWire,
} from '../wire/numbers';
import {
  availableNumbers,
  createVoipConnection,
  deleteVoipConnection,
  getVoipConnection,
  importNumbers,
  listVoipConnections,
  testVoipConnection,
  updateVoipConnection,
} from '../../numbers/voip-connection-service';
import { numbersDepsOf } from './numbers-deps';

export const voipConnectionRoutes: RouteModule = (deps) => async (app) => {
  const d = numbersDepsOf(deps);
  const tags = ['voip-connections'];

  app.get(
    '/voip-connections',
    {
      schema: {
        tags,
        summary: 'List VoIP connections (credentials never returned)',
        response: { 200: Type.Array(VoipConnectionWire), ...errorResponses },
      },
    },
    async (req) => (await listVoipConnections(d, req.auth.orgId)).map(voipConnectionToWire),
  );

  app.post(
    '/voip-connections/test',
    {
      schema: {
        tags,
        summary:
          'Test trunk settings (manual: real SIP OPTIONS + digest-authenticated REGISTER); returns verification evidence',
        body: VoipTestBody,
        response: { 200: VoipTestWire, ...errorResponses },
      },
    },
    async (req) => testVoipConnection(d, req.auth.orgId, req.body),
  );

  app.post(
    '/voip-connections',
    {
      schema: {
        tags,
        summary: 'Create a connection (manual: needs a passing verification_evidence_id of the same settings)',
        body: VoipCreateBody,
        response: { 201: VoipConnectionWire, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(voipConnectionToWire(await createVoipConnection(d, req.auth.orgId, req.body))),
  );

  app.get(
    '/voip-connections/:id',
    {
      schema: {
        tags,
        summary: 'Get a VoIP connection',
        params: IdParams,
        response: { 200: VoipConnectionWire, ...errorResponses },
      },
    },
    async (req) => voipConnectionToWire(await getVoipConnection(d, req.auth.orgId, Number(req.params.id))),
  );

  app.patch(
    '/voip-connections/:id',
    {
      schema: {
        tags,
        summary: 'Rename, or rotate credentials/sip_config (with a fresh verification_evidence_id)',
        params: IdParams,
        body: VoipUpdateBody,
        response: { 200: VoipConnectionWire, ...errorResponses },
      },
    },
    async (req) => voipConnectionToWire(await updateVoipConnection(d, req.auth.orgId, Number(req.params.id), req.body)),
  );

  app.delete(
    '/voip-connections/:id',
    {
      schema: {
        tags,
        summary: 'Delete the connection; its numbers are released',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteVoipConnection(d, req.auth.orgId, Number(req.params.id));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/voip-connections/:id/import-numbers',
    {
      schema: {
        tags,
        summary: 'Import numbers of this trunk (source voip, provisioning, unverified until verify-voip)',
        params: IdParams,
        body: ImportNumbersBody,
        response: { 201: Type.Array(PhoneNumberWire), ...errorResponses, 409: ErrorBody },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send((await importNumbers(d, req.auth.orgId, Number(req.params.id), req.body)).map(phoneNumberToWire)),
  );

  app.get(
    '/voip-connections/:id/available-numbers',
    {
      schema: {
        tags,
        summary:
          'Not available here: 400 provider_cannot_list_numbers (no provider API is called; import numbers instead)',
        params: IdParams,
        response: { 200: Type.Array(Type.Object({ number: Type.String() })), ...errorResponses },
      },
    },
    async (req) => availableNumbers(d, req.auth.orgId, Number(req.params.id)),
  );
};
