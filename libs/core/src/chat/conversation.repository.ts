import { z } from 'zod';
import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';

export interface Conversation {
  id: string;
  userId: string;
  title: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ConversationRow {
  id: string;
  user_id: string;
  title: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, user_id, title, created_at, updated_at';

function toConversation(row: ConversationRow): Conversation {
  return { id: row.id, userId: row.user_id, title: row.title, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** A one-line title from the first message. */
export function titleFromMessage(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}

export async function insertConversation(db: Queryable, userId: string, title: string): Promise<Conversation> {
  const { rows } = await db.query<ConversationRow>(`INSERT INTO conversations (user_id, title) VALUES ($1, $2) RETURNING ${COLUMNS}`, [userId, title]);
  return toConversation(rows[0]!);
}

/** Locks the user's conversation row for the transaction: acceptance and turn completion serialise on it. */
export async function lockConversation(db: Queryable, userId: string, id: string): Promise<Conversation | null> {
  const { rows } = await db.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE id = $1 AND user_id = $2 FOR UPDATE`, [id, userId]);
  return rows[0] ? toConversation(rows[0]) : null;
}

export async function nextTurnSeq(db: Queryable, conversationId: string): Promise<number> {
  const { rows } = await db.query<{ turn_seq: number }>(
    'UPDATE conversations SET turn_seq = turn_seq + 1, updated_at = now() WHERE id = $1 RETURNING turn_seq',
    [conversationId],
  );
  return rows[0]!.turn_seq;
}

export async function findConversation(db: Queryable, userId: string, id: string): Promise<Conversation | null> {
  const { rows } = await db.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE id = $1 AND user_id = $2`, [id, userId]);
  return rows[0] ? toConversation(rows[0]) : null;
}

export async function deleteConversation(db: Queryable, userId: string, id: string): Promise<void> {
  const { rowCount } = await db.query('DELETE FROM conversations WHERE id = $1 AND user_id = $2', [id, userId]);
  if (!rowCount) throw new AppError('not_found', 'Conversation not found');
}

const CursorSchema = z.object({ u: z.iso.datetime(), i: z.uuid() });

/** Newest first, by last activity; keyset cursor on (updated_at, id). */
export async function listConversations(
  db: Queryable,
  userId: string,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<{ conversations: Conversation[]; nextCursor: string | null }> {
  const values: unknown[] = [userId, limit + 1];
  let after = '';
  if (cursor !== undefined) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      decoded = undefined;
    }
    const parsed = CursorSchema.safeParse(decoded);
    if (!parsed.success) {
      throw new AppError('validation_failed', 'The cursor is not valid for this list.', {
        errors: [{ path: 'cursor', message: 'is not a cursor returned by this list' }],
      });
    }
    values.push(parsed.data.u, parsed.data.i);
    after = 'AND (updated_at, id) < ($3::timestamptz, $4::uuid)';
  }
  const { rows } = await db.query<ConversationRow>(
    `SELECT ${COLUMNS} FROM conversations WHERE user_id = $1 ${after} ORDER BY updated_at DESC, id DESC LIMIT $2`,
    values,
  );
  const page = rows.slice(0, limit).map(toConversation);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last ? Buffer.from(JSON.stringify({ u: last.updatedAt.toISOString(), i: last.id })).toString('base64url') : null;
  return { conversations: page, nextCursor };
}

export function conversationToJson(c: Conversation) {
  return { id: c.id, title: c.title, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString() };
}
