import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError } from '../../shared/errors';
import { Envelope, ErrorBody, Paging, errorResponses } from '../wire/common';
import { emptyBodyAsObject } from '../plugins/empty-body';
import {
  AttestationWire,
  CampaignDetailWire,
  CampaignWire,
  ContactWire,
  ContactsResultWire,
  StatsWire,
  attestationToWire,
  campaignToWire,
  contactToWire,
  statsToWire,
} from '../wire/campaign';
import {
  addContacts,
  campaignStats,
  cancelCampaign,
  countContacts,
  createCampaign,
  deleteCampaign,
  listCampaigns,
  listContacts,
  loadCampaign,
  patchCampaign,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
  type CampaignDeps,
  type CampaignRow,
} from '../../campaigns/campaign-service';
import { importContacts, importCsvContacts, MAX_CONTACTS_PER_REQUEST } from '../../campaigns/contact-import';
import { getOutboundAttestation } from '../../campaigns/outbound-attestation';

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const AnyBody = Type.Object({}, { additionalProperties: true });
const CONTACTS_BODY_LIMIT = 8 * 1024 * 1024;
/** Contacts shown in GET /v1/campaigns/{id} (all of them: GET …/contacts pages). */
const DETAIL_CONTACTS = 100;

/** Campaigns (thunderphone-api.md §3.19) and the outbound gate's status (§3.11). */
export const campaignRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, ids, queue, config } = deps;
  const d: CampaignDeps = {
    db: store.db,
    clock,
    ids,
    queue,
    defaultRetryDelaySeconds: config.campaigns.retryDelaySeconds,
  };
  const tags = ['campaigns'];
  const wire = async (c: CampaignRow) => campaignToWire(c, await countContacts(store.db, Number(c.id)));

  // CSV uploads: the raw text (the console and curl --data-binary @contacts.csv send text/csv).
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, { __csv: body }),
  );

  app.get(
    '/outbound-tcpa-confirmation',
    {
      schema: {
        tags,
        summary: "The org's one-time outbound-calling attestation (recorded by the operator, never by an API key)",
        response: { 200: AttestationWire, ...errorResponses },
      },
    },
    async (req) => attestationToWire(await getOutboundAttestation(store.db, req.auth.orgId)),
  );

  app.post(
    '/campaigns',
    {
      schema: {
        tags,
        summary: 'Create a campaign (draft)',
        body: AnyBody,
        response: { 201: CampaignWire, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await wire(await createCampaign(d, req.auth.orgId, req.body))),
  );

  app.get(
    '/campaigns',
    {
      schema: {
        tags,
        summary: "The org's campaigns, newest first",
        querystring: Paging,
        response: { 200: Envelope(CampaignWire), ...errorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const offset = req.query.offset ?? 0;
      const { rows, total } = await listCampaigns(store.db, req.auth.orgId, limit, offset);
      return { results: await Promise.all(rows.map(wire)), total, limit, offset };
    },
  );

  app.get(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'A campaign with total_count and its first 100 contacts',
        params: Params,
        response: { 200: CampaignDetailWire, ...errorResponses },
      },
    },
    async (req) => {
      const c = await loadCampaign(store.db, req.auth.orgId, req.params.id);
      const contacts = await listContacts(store.db, Number(c.id), DETAIL_CONTACTS, 0);
      return { ...(await wire(c)), contacts: contacts.map(contactToWire) };
    },
  );

  app.get(
    '/campaigns/:id/contacts',
    {
      schema: {
        tags,
        summary: "A campaign's contacts with their status, attempts and last call",
        params: Params,
        querystring: Paging,
        response: { 200: Envelope(ContactWire), ...errorResponses },
      },
    },
    async (req) => {
      const c = await loadCampaign(store.db, req.auth.orgId, req.params.id);
      const limit = req.query.limit ?? 50;
      const offset = req.query.offset ?? 0;
      const rows = await listContacts(store.db, Number(c.id), limit, offset);
      return { results: rows.map(contactToWire), total: await countContacts(store.db, Number(c.id)), limit, offset };
    },
  );

  app.patch(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Change a draft or paused campaign',
        params: Params,
        body: AnyBody,
        response: { 200: CampaignWire, ...errorResponses, 409: ErrorBody },
      },
    },
    async (req) => wire(await patchCampaign(d, req.auth.orgId, req.params.id, req.body)),
  );

  app.delete(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Delete a draft campaign',
        params: Params,
        response: { 204: Type.Null(), ...errorResponses, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await deleteCampaign(d, req.auth.orgId, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/campaigns/:id/contacts',
    {
      bodyLimit: CONTACTS_BODY_LIMIT,
      schema: {
        tags,
        summary: `Add contacts: JSON {"contacts": [...]} or a CSV (text/csv) with a header row; at most ${MAX_CONTACTS_PER_REQUEST}`,
        params: Params,
        response: { 200: ContactsResultWire, ...errorResponses, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (req) => {
      const body = req.body as Record<string, unknown> | null | undefined;
      let imported;
      if (body && typeof body.__csv === 'string') imported = importCsvContacts(body.__csv);
      else if (body && Array.isArray(body.contacts)) imported = importContacts(body.contacts as unknown[]);
      else if (body && typeof body.csv === 'string') imported = importCsvContacts(body.csv);
      else
        throw new AppError(
          'invalid_contacts_upload',
          'Send {"contacts": [{"phone_number": "+14155550100", ...}]} as JSON, or a CSV with a phone_number column as text/csv.',
        );
      return addContacts(d, req.auth.orgId, req.params.id, imported);
    },
  );

  const action = (
    path: string,
    summary: string,
    run: (orgId: number, id: string, body: Record<string, unknown>) => Promise<CampaignRow>,
  ) =>
    app.post(
      `/campaigns/:id/${path}`,
      {
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary,
          params: Params,
          body: AnyBody,
          response: { 200: CampaignWire, ...errorResponses, 402: ErrorBody, 403: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => wire(await run(req.auth.orgId, req.params.id, req.body)),
    );
  action(
    'start',
    'Start a draft (needs {"consent_to_charge": true}, the outbound attestation and a positive balance)',
    (o, id, b) => startCampaign(d, o, id, b.consent_to_charge),
  );
  action('pause', 'Pause a running campaign (calls in progress finish)', (o, id) => pauseCampaign(d, o, id));
  action('resume', 'Resume a paused campaign', (o, id) => resumeCampaign(d, o, id));
  action('cancel', 'Cancel: queued contacts are not called', (o, id) => cancelCampaign(d, o, id));

  app.get(
    '/campaigns/:id/stats',
    {
      schema: {
        tags,
        summary: 'Contacts by state and attempts so far',
        params: Params,
        response: { 200: StatsWire, ...errorResponses },
      },
    },
    async (req) => {
      const c = await loadCampaign(store.db, req.auth.orgId, req.params.id);
      return statsToWire(await campaignStats(store.db, Number(c.id)), c.status);
    },
  );
};
