import { authenticateApiToken, isApiToken } from './api-token.service.js';
import { authenticateAccessToken, type AuthenticateDeps } from './authenticate.js';

/** Resolves a bearer token that is either a personal API token (by its prefix) or an access token to its user id. */
export async function authenticateBearerToken(deps: AuthenticateDeps, token: string): Promise<string> {
  return isApiToken(token) ? authenticateApiToken(deps.db, token) : authenticateAccessToken(deps, token);
}
