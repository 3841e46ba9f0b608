import type { RouteModule } from '../route-module';

/**
 * Tenant routes under /v1 (Bearer sk_live_ key required). One line per resource file;
 * add yours here.
 */
export const TENANT_ROUTES: RouteModule[] = [];

/** Operator admin routes under /admin/v1 (THUNDERPHONE_ADMIN_TOKEN). */
export const ADMIN_ROUTES: RouteModule[] = [];

/** Public routes outside /v1 auth (signed recording links and the like). */
export const PUBLIC_ROUTES: RouteModule[] = [];
