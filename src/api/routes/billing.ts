import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { emptyBodyAsObject } from '../plugins/empty-body';
import { AppError } from '../../shared/errors';
import { Envelope, ErrorBody, Nullable, Paging, errorResponses } from '../wire/common';
import { LedgerEntryWire, ledgerToWire } from '../wire/ledger';
import { getBillingAccount, listTransactions, updateAutoReload } from '../../billing/billing-account';

const BillingWire = Type.Object({
  balance_cents: Type.Integer(),
  balance_usd: Type.String(),
  held_cents: Type.Integer({ description: 'reserved by calls in progress (not yet charged)' }),
  available_cents: Type.Integer({ description: 'balance_cents − held_cents: what new calls can use' }),
  currency: Type.String(),
  auto_reload_enabled: Type.Boolean(),
  auto_reload_minimum_cents: Type.Integer(),
  auto_reload_amount_cents: Type.Integer(),
  auto_reload_monthly_limit_cents: Nullable(Type.Integer()),
  has_payment_method: Type.Boolean(),
});

export const billingRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock } = deps;
  const tags = ['billing'];

  app.get(
    '/billing',
    {
      schema: { tags, summary: 'Balance and auto-reload settings', response: { 200: BillingWire, ...errorResponses } },
    },
    async (req) => getBillingAccount(store.db, clock, req.auth.orgId),
  );

  app.patch(
    '/billing',
    {
      schema: {
        tags,
        summary: 'Update auto-reload (422 payment_method_required when enabling without a payment method)',
        body: Type.Object(
          {
            auto_reload_enabled: Type.Optional(Type.Boolean()),
            auto_reload_minimum_cents: Type.Optional(Type.Integer()),
            auto_reload_amount_cents: Type.Optional(Type.Integer()),
            auto_reload_monthly_limit_cents: Type.Optional(Nullable(Type.Integer())),
          },
          { additionalProperties: false },
        ),
        response: { 200: BillingWire, 422: ErrorBody, ...errorResponses },
      },
    },
    async (req) => updateAutoReload(store.db, clock, req.auth.orgId, req.body),
  );

  app.get(
    '/billing/transactions',
    {
      schema: {
        tags,
        summary: 'The balance ledger, newest first (every balance change is a row)',
        querystring: Paging,
        response: { 200: Envelope(LedgerEntryWire), ...errorResponses },
      },
    },
    async (req) => {
      const page = await listTransactions(store.db, req.auth.orgId, req.query.limit ?? 50, req.query.offset ?? 0);
      return { ...page, results: page.results.map(ledgerToWire) };
    },
  );

  app.post(
    '/billing/top-up',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Card top-up: not available on a self-hosted server (operators add credit with the admin API)',
        body: Type.Object(
          { amount_cents: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: true },
        ),
        response: { 422: ErrorBody, ...errorResponses },
      },
    },
    async () => {
      throw new AppError(
        'payment_provider_not_configured',
        'No payment provider is configured on this server; ask the operator to add credit (POST /admin/v1/orgs/{org_id}/credits or `thunderphone admin credits`).',
      );
    },
  );
};
