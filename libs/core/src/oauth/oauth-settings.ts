import type { Config } from '../platform/config.js';

/** The one scope: everything the MCP tools do with the user's tasks. */
export const OAUTH_SCOPES = ['tasks'] as const;

/** A pending authorization request waits this long for the user's decision. */
export const AUTHORIZATION_REQUEST_TTL_MINUTES = 10;
/** Authorization codes are short-lived (OAuth 2.1 recommends at most 10 minutes) and single-use. */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/** Lifetime of an OAuth access token; clients refresh after it. */
export const OAUTH_ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Prefixes tell our opaque tokens apart (and make leaked ones easy to recognise in scanners). */
export const OAUTH_ACCESS_TOKEN_PREFIX = 'todo_oat_';
export const OAUTH_REFRESH_TOKEN_PREFIX = 'todo_ort_';

/** The protected resource: /mcp under PUBLIC_URL, the audience of every token we issue. */
export function mcpResourceUrl(config: Config): string {
  return `${config.publicUrl}/mcp`;
}

/** The web app's consent page for a pending request (served from the first FRONTEND_URL, like reset links). */
export function consentPageUrl(config: Config, requestId: string): string {
  return `${config.frontendUrls[0]}/oauth/authorize?request=${encodeURIComponent(requestId)}`;
}

/** Resource identifiers compare without a fragment and one trailing slash (as the SDK's bearer check does). */
export function isSameResource(a: string, b: string): boolean {
  const comparable = (value: string) => value.split('#')[0]!.replace(/\/$/, '');
  return comparable(a) === comparable(b);
}
