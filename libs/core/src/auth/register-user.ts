import { insertUser } from '../users/index.js';
import type { RegisterInput } from './auth.schemas.js';
import { hashPassword } from './password.js';
import { startSession, type AuthDeps, type Session } from './session.js';

export async function registerUser(deps: AuthDeps, input: RegisterInput): Promise<Session> {
  const passwordHash = await hashPassword(input.password);
  const user = await insertUser(deps.db, { email: input.email, name: input.name, passwordHash, timeZone: input.time_zone });
  return startSession(deps, user);
}
