import type { RouteDefinition } from '../route.js';
import { accountRoutes, sessionRoutes } from './account-routes.js';
import { apiKeyRoutes } from './api-key-routes.js';
import { clientRoutes } from './client-routes.js';
import { emailLinkRoutes } from './email-link-routes.js';
import { healthRoutes } from './health-routes.js';
import { invitationRoutes } from './invitation-routes.js';
import { memberRoutes } from './member-routes.js';
import { mfaRoutes } from './mfa-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { oauthServerRoutes } from './oauth-server-routes.js';
import { passkeyRoutes } from './passkey-routes.js';
import { permissionRoutes } from './permission-routes.js';
import { policyRoutes } from './policy-routes.js';
import { roleRoutes } from './role-routes.js';
import { secretScanningRoutes } from './secret-scanning-routes.js';
import { tenantRoutes } from './tenant-routes.js';
import { tokenRoutes } from './token-routes.js';

/**
 * Every route `auth.handler` serves, in the order the OpenAPI document lists them (a change of
 * order changes the document). A new domain adds its route file here.
 */
export const routes: RouteDefinition[] = [
  ...accountRoutes,
  ...sessionRoutes,
  ...tenantRoutes,
  ...roleRoutes,
  ...policyRoutes,
  ...permissionRoutes,
  ...memberRoutes,
  ...invitationRoutes,
  ...emailLinkRoutes,
  ...mfaRoutes,
  ...passkeyRoutes,
  ...oauthRoutes,
  ...tokenRoutes,
  ...clientRoutes,
  ...apiKeyRoutes,
  ...secretScanningRoutes,
  ...oauthServerRoutes,
  ...healthRoutes,
];
