import type { Config } from '../platform/config.js';
import type { Queryable } from '../platform/db/index.js';
import { toPublicUser, type User } from '../users/index.js';
import { signAccessToken } from './access-token.js';
import { insertRefreshToken } from './refresh-token.repository.js';

export interface AuthDeps {
  db: Queryable;
  config: Config;
}

export interface Session {
  user: User;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
}

export interface UserJson {
  id: string;
  email: string;
  name: string;
  time_zone: string;
  email_verified: boolean;
  created_at: string;
  updated_at: string;
}

export function userToJson(user: User): UserJson {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    time_zone: user.timeZone,
    email_verified: user.isEmailVerified,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

export function sessionToJson(session: Session) {
  return {
    user: userToJson(session.user),
    access_token: session.accessToken,
    token_type: 'bearer' as const,
    expires_in: session.expiresIn,
    refresh_token: session.refreshToken,
  };
}

/** Signs an access token and stores a refresh token, continuing `familyId` when rotating. */
export async function startSession(
  { db, config }: AuthDeps,
  user: User & { tokenVersion: number },
  familyId?: string,
): Promise<Session> {
  const refreshToken = await insertRefreshToken(db, { userId: user.id, familyId, ttlDays: config.refreshTokenTtlDays });
  return sessionWithRefreshToken(config, user, refreshToken);
}

/** A session around a refresh token that is already stored: signs a fresh access token. */
export function sessionWithRefreshToken(config: Config, user: User & { tokenVersion: number }, refreshToken: string): Session {
  const { token, expiresIn } = signAccessToken(config, { userId: user.id, tokenVersion: user.tokenVersion });
  return { user: toPublicUser(user), accessToken: token, expiresIn, refreshToken };
}
