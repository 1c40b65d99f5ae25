import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';

export interface User {
  id: string;
  email: string;
  name: string;
  /** IANA time zone; the user's "today" is computed in it. */
  timeZone: string;
  /** Whether the user proved they own the address (the link of the verification mail). */
  isEmailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A user with the fields only authentication reads. */
export interface UserCredentials extends User {
  passwordHash: string;
  tokenVersion: number;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  time_zone: string;
  password_hash: string;
  token_version: number;
  email_verified_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toUserCredentials(row: UserRow): UserCredentials {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    timeZone: row.time_zone,
    passwordHash: row.password_hash,
    tokenVersion: row.token_version,
    isEmailVerified: row.email_verified_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toPublicUser({ id, email, name, timeZone, isEmailVerified, createdAt, updatedAt }: User): User {
  return { id, email, name, timeZone, isEmailVerified, createdAt, updatedAt };
}

const COLUMNS = 'id, email, name, time_zone, password_hash, token_version, email_verified_at, created_at, updated_at';

export async function insertUser(
  db: Queryable,
  input: { email: string; name: string; passwordHash: string; timeZone?: string },
): Promise<UserCredentials> {
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (email, name, password_hash, time_zone) VALUES ($1, $2, $3, COALESCE($4, 'UTC')) RETURNING ${COLUMNS}`,
      [input.email, input.name, input.passwordHash, input.timeZone ?? null],
    );
    return toUserCredentials(rows[0]!);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('conflict', 'An account with this email already exists.');
    }
    throw error;
  }
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserCredentials | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0] ? toUserCredentials(rows[0]) : null;
}

export async function findUserById(db: Queryable, id: string): Promise<UserCredentials | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUserCredentials(rows[0]) : null;
}

/** The user's current token version, or null when the user no longer exists. On every authenticated request. */
export async function findTokenVersion(db: Queryable, id: string): Promise<number | null> {
  const { rows } = await db.query<{ token_version: number }>({
    name: 'user-token-version',
    text: 'SELECT token_version FROM users WHERE id = $1',
    values: [id],
  });
  return rows[0]?.token_version ?? null;
}

/** Invalidates every access token issued so far for this user. */
export async function incrementTokenVersion(db: Queryable, id: string): Promise<number> {
  const { rows } = await db.query<{ token_version: number }>(
    'UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = $1 RETURNING token_version',
    [id],
  );
  return rows[0]?.token_version ?? 0;
}

export async function updatePasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
}

/** The user's time zone ('UTC' for a user that no longer exists): read once per chat turn and per relative date filter. */
export async function findUserTimeZone(db: Queryable, id: string): Promise<string> {
  const { rows } = await db.query<{ time_zone: string }>({
    name: 'user-time-zone',
    text: 'SELECT time_zone FROM users WHERE id = $1',
    values: [id],
  });
  return rows[0]?.time_zone ?? 'UTC';
}

/** Changes the profile fields given; null when the user no longer exists. */
export async function updateUserProfile(
  db: Queryable,
  id: string,
  changes: { name?: string; timeZone?: string },
): Promise<UserCredentials | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET name = COALESCE($2, name), time_zone = COALESCE($3, time_zone), updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, changes.name ?? null, changes.timeZone ?? null],
  );
  return rows[0] ? toUserCredentials(rows[0]) : null;
}
