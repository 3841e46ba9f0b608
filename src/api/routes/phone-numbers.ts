import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { ErrorBody, IdParams, errorResponses } from '../wire/common';
import {
  PhoneNumberLimitsWire,
  PhoneNumberWire,
  ProvisionNumberBody,
  UpdateNumberBody,
  phoneNumberLimitsToWire,
  phoneNumberToWire,
} from '../wire/numbers';
import { emptyBodyAsObject } from '../plugins/empty-body';
import {
  getPhoneNumber,
  listPhoneNumbers,
  phoneNumberLimits,
  provisionDemoNumber,
  releasePhoneNumber,
  updatePhoneNumber,
  verifyVoipNumber,
} from '../../numbers/phone-number-service';
import { numbersDepsOf } from './numbers-deps';

export const phoneNumberRoutes: RouteModule = (deps) => async (app) => {
  const d = numbersDepsOf(deps);
  const tags = ['phone-numbers'];

  app.get(
    '/phone-numbers',
    {
      schema: {
        tags,
        summary: "List the org's phone numbers (released ones excluded), newest first",
        response: { 200: Type.Array(PhoneNumberWire), ...errorResponses },
      },
    },
    async (req) => (await listPhoneNumbers(d, req.auth.orgId)).map(phoneNumberToWire),
  );

  app.post(
    '/phone-numbers',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Get an inbound-only demo number from DEMO_NUMBERS (provisioning → active about 1 s later)',
        body: ProvisionNumberBody,
        response: { 201: PhoneNumberWire, ...errorResponses, 409: ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send(phoneNumberToWire(await provisionDemoNumber(d, deps.queue, req.auth.orgId, req.body))),
  );

  app.get(
    '/phone-numbers/limits',
    {
      schema: {
        tags,
        summary: "The org's number cap and usage, and what the demo pool can still hand out",
        response: { 200: PhoneNumberLimitsWire, ...errorResponses },
      },
    },
    async (req) => phoneNumberLimitsToWire(await phoneNumberLimits(d, req.auth.orgId)),
  );

  app.get(
    '/phone-numbers/:id',
    {
      schema: {
        tags,
        summary: 'Get a phone number (also after release: status "released")',
        params: IdParams,
        response: { 200: PhoneNumberWire, ...errorResponses },
      },
    },
    async (req) => phoneNumberToWire(await getPhoneNumber(d, req.auth.orgId, Number(req.params.id))),
  );

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method,
      url: '/phone-numbers/:id',
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Assign inbound/outbound agents (own agents or null) and the label',
        params: IdParams,
        body: UpdateNumberBody,
        response: { 200: PhoneNumberWire, ...errorResponses },
      },
      handler: async (req) =>
        phoneNumberToWire(await updatePhoneNumber(d, req.auth.orgId, Number(req.params.id), req.body)),
    });
  }

  app.delete(
    '/phone-numbers/:id',
    {
      schema: {
        tags,
        summary: 'Release the number (status "released"; it becomes free again)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await releasePhoneNumber(d, req.auth.orgId, Number(req.params.id));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/phone-numbers/:id/verify-voip',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: "Check the number's SIP trunk for real: verified + active, or failed with voip_verification_error",
        params: IdParams,
        response: { 200: PhoneNumberWire, ...errorResponses },
      },
    },
    async (req) => phoneNumberToWire(await verifyVoipNumber(d, req.auth.orgId, Number(req.params.id))),
  );
};
