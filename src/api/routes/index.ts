import type { RouteModule } from '../route-module';
import { orgRoutes } from './orgs';
import { apiKeyRoutes } from './api-keys';
import { agentRoutes } from './agents';
import { voiceRoutes } from './voices';
import { billingRoutes } from './billing';
import { adminOrgRoutes } from './admin-orgs';
import { adminAttestationRoutes } from './admin-attestations';
import { webhookEndpointRoutes } from './webhook-endpoints';
import { legacyWebhookRoutes } from './legacy-webhook';
import { phoneNumberRoutes } from './phone-numbers';
import { voipConnectionRoutes } from './voip-connections';
import { callRoutes } from './calls';
import { campaignRoutes } from './campaigns';
import { recordingRoutes } from './recordings';
import { callStreamRoutes } from './call-stream';
import { callDetailRoutes } from './call-details';
import { callGradeRoutes } from './call-grades';
import { voicePreviewRoutes } from './voice-preview';
import { consoleSessionRoutes } from './console-session';
import { consoleStaticRoutes } from './console-static';
import { realtimeSessionRoutes } from './realtime-sessions';
import { metricsRoutes } from './metrics';

/**
 * Tenant routes under /v1 (Bearer sk_live_ key required). One line per resource file;
 * add yours here.
 */
export const TENANT_ROUTES: RouteModule[] = [
  orgRoutes,
  apiKeyRoutes,
  agentRoutes,
  voiceRoutes,
  billingRoutes,
  webhookEndpointRoutes,
  legacyWebhookRoutes,
  phoneNumberRoutes,
  voipConnectionRoutes,
  callRoutes,
  campaignRoutes,
  callGradeRoutes,
  // Web console reads (also plain API): live call stream, call page details, voice samples.
  callStreamRoutes,
  callDetailRoutes,
  voicePreviewRoutes,
  // Client secrets for the /v1/realtime WebSocket (the socket itself: routes/realtime.ts).
  realtimeSessionRoutes,
];

/** Operator admin routes under /admin/v1 (THUNDERPHONE_ADMIN_TOKEN). */
export const ADMIN_ROUTES: RouteModule[] = [adminOrgRoutes, adminAttestationRoutes];

/** Public routes outside /v1 auth (signed recording links and the like). */
export const PUBLIC_ROUTES: RouteModule[] = [
  recordingRoutes,
  // Prometheus scrape (its own token, METRICS_TOKEN).
  metricsRoutes,
  // Web console: sign-in (cookie session) and the app itself at / (web/dist).
  consoleSessionRoutes,
  consoleStaticRoutes,
];
