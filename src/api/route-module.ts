import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiDeps } from './deps';

/** A resource's routes: one file per resource under api/routes, registered in api/routes/index.ts. */
export type RouteModule = (deps: ApiDeps) => FastifyPluginAsyncTypebox;
