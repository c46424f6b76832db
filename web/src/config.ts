/** What a deployment tells the console at runtime (/config.json), so one build serves every environment. */
export interface ConsoleConfig {
  /** The API's base URL: absolute, or a same-origin path such as /api behind a proxy. */
  apiBaseUrl: string;
  /** OpenID Connect (authorization code + PKCE) against the identity provider the API trusts; null: none. */
  oidc: OidcConfig | null;
  /** The Temporal Web UI, for links to each mentee's workflow (default: the dev server's, http://127.0.0.1:8233). */
  temporalUiUrl: string;
  /** The Temporal namespace the workflows run in (default: default). */
  temporalNamespace: string;
}

export interface OidcConfig {
  /** The issuer (its /.well-known/openid-configuration is read). */
  authority: string;
  clientId: string;
  /** Default: scopes openid profile; add the one that puts role and programs into the access token. */
  scope?: string;
  /** Sent as `audience` where the provider needs it to issue an access token for the API. */
  audience?: string;
}

export const DEFAULT_CONFIG: ConsoleConfig = {
  apiBaseUrl: 'http://127.0.0.1:3000',
  oidc: null,
  temporalUiUrl: 'http://127.0.0.1:8233',
  temporalNamespace: 'default',
};

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    // the preloaded response (index.html); the server marks it no-store, so a new deployment's config is read anew
    const response = await fetch('/config.json');
    if (!response.ok) return DEFAULT_CONFIG;
    const read = (await response.json()) as Partial<ConsoleConfig>;
    return {
      apiBaseUrl: (read.apiBaseUrl ?? DEFAULT_CONFIG.apiBaseUrl).replace(/\/$/, ''),
      oidc: read.oidc ?? null,
      temporalUiUrl: (read.temporalUiUrl || DEFAULT_CONFIG.temporalUiUrl).replace(/\/$/, ''),
      temporalNamespace: read.temporalNamespace || DEFAULT_CONFIG.temporalNamespace,
    };
  } catch {
    return DEFAULT_CONFIG;
  }
}

let active: ConsoleConfig = DEFAULT_CONFIG;
export const useConfig = (): ConsoleConfig => active;
export function setConfig(config: ConsoleConfig) {
  active = config;
}

/** A workflow's page in the Temporal Web UI, e.g. mentee-application/<applicationId>. */
export function workflowUrl(config: ConsoleConfig, workflowId: string): string {
  const namespace = encodeURIComponent(config.temporalNamespace);
  return `${config.temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}
