import jwt from 'jsonwebtoken';
import type { Config } from '../platform/config.js';
import { AppError } from '../platform/errors.js';

export interface AccessTokenClaims {
  userId: string;
  tokenVersion: number;
}

export function signAccessToken(config: Config, claims: AccessTokenClaims): { token: string; expiresIn: number } {
  const expiresIn = config.jwt.expireMinutes * 60;
  const token = jwt.sign({ tv: claims.tokenVersion, typ: 'access' }, config.jwt.secret, {
    algorithm: config.jwt.algorithm,
    subject: claims.userId,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    expiresIn,
  });
  return { token, expiresIn };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks signature (with the one configured algorithm: `none` and others are refused), expiry,
 * issuer and audience. Says nothing about revocation: callers compare `tokenVersion` with the user's.
 */
export function verifyAccessToken(config: Config, token: string): AccessTokenClaims {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, config.jwt.secret, {
      algorithms: [config.jwt.algorithm],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw new AppError('unauthorized', expired ? 'Access token has expired.' : 'Access token is invalid.');
  }
  if (
    typeof payload !== 'object' ||
    payload.typ !== 'access' ||
    typeof payload.sub !== 'string' ||
    !UUID.test(payload.sub) ||
    !Number.isInteger(payload.tv)
  ) {
    throw new AppError('unauthorized', 'Access token is invalid.');
  }
  return { userId: payload.sub, tokenVersion: payload.tv as number };
}
