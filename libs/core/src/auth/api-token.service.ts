import { withTransaction, type Pool, type Queryable } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import {
  countActiveApiTokens,
  insertApiToken,
  lockApiTokenOwner,
  revokeApiTokenRow,
  selectApiTokens,
  useApiToken,
  type ApiToken,
} from './api-token.repository.js';
import type { CreateApiTokenInput } from './api-token.schemas.js';
import { generateOpaqueToken, hashOpaqueToken } from './refresh-token.repository.js';

/** Marks raw personal API tokens, so they are told apart from JWTs and found by secret scanners. */
export const API_TOKEN_PREFIX = 'todo_pat_';

/** Tokens a user may have working at once; revoked and expired ones do not count. */
export const MAX_ACTIVE_API_TOKENS = 20;

export function isApiToken(token: string): boolean {
  return token.startsWith(API_TOKEN_PREFIX);
}

/** Creates a token and returns it raw, once: only its SHA-256 hash is stored. */
export async function createApiToken(
  db: Pool,
  userId: string,
  input: CreateApiTokenInput,
): Promise<{ apiToken: ApiToken; token: string }> {
  const token = `${API_TOKEN_PREFIX}${generateOpaqueToken()}`;
  const apiToken = await withTransaction(db, async (tx) => {
    if (!(await lockApiTokenOwner(tx, userId))) throw new AppError('unauthorized', 'The user of this token no longer exists.');
    if ((await countActiveApiTokens(tx, userId)) >= MAX_ACTIVE_API_TOKENS) {
      throw new AppError('conflict', `You already have ${MAX_ACTIVE_API_TOKENS} working API tokens; revoke one first.`);
    }
    return insertApiToken(tx, { userId, name: input.name, tokenHash: hashOpaqueToken(token), expiresInDays: input.expires_in_days ?? null });
  });
  return { apiToken, token };
}

export async function listApiTokens(db: Queryable, userId: string): Promise<ApiToken[]> {
  return selectApiTokens(db, userId);
}

export async function revokeApiToken(db: Queryable, userId: string, tokenId: string): Promise<void> {
  if (!(await revokeApiTokenRow(db, userId, tokenId))) throw notFound('API token');
}

/** Resolves a raw personal API token to its user id; unknown, revoked and expired tokens are refused alike. */
export async function authenticateApiToken(db: Queryable, token: string): Promise<string> {
  const found = isApiToken(token) ? await useApiToken(db, hashOpaqueToken(token)) : null;
  if (!found) throw new AppError('unauthorized', 'API token is invalid, revoked or expired.');
  return found.userId;
}
