import type { OidcConfig } from '../config';

/**
 * Production sign-in: OpenID Connect authorization code with PKCE (oidc-client-ts, loaded only when used), against
 * the identity provider whose keys the API trusts (AUTH_JWKS_URL). The access token carries `role` and `programs`
 * as the API reads them today; the console keeps it in sessionStorage like a development token.
 */
export async function userManager(config: OidcConfig) {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: new URL('/auth/callback', window.location.origin).toString(),
    post_logout_redirect_uri: new URL('/sign-in', window.location.origin).toString(),
    response_type: 'code',
    scope: config.scope ?? 'openid profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    ...(config.audience ? { extraQueryParams: { audience: config.audience } } : {}),
  });
}
