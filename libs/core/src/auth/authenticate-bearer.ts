import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import { authenticateApiToken, isApiToken } from './api-token.service.js';
import { authenticateAccessToken } from './authenticate.js';

/** Resolves a bearer token that is either a personal API token (by its prefix) or an access token to its user id. */
export async function authenticateBearerToken(deps: { db: Queryable; config: Config }, token: string): Promise<string> {
  return isApiToken(token) ? authenticateApiToken(deps.db, token) : authenticateAccessToken(deps, token);
}
