import type { Queryable } from '../platform/db/index.js';
import type { ChatResult, TurnError, TurnStatus } from './chat.schemas.js';

export interface Turn {
  id: string;
  conversationId: string;
  userId: string;
  seq: number;
  status: TurnStatus;
  userMessage: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  attempts: number;
  result: ChatResult | null;
  error: TurnError | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface TurnRow {
  id: string;
  conversation_id: string;
  user_id: string;
  seq: number;
  status: TurnStatus;
  user_message: string;
  idempotency_key: string | null;
  request_hash: string | null;
  attempts: number;
  result: ChatResult | null;
  error: TurnError | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS =
  'id, conversation_id, user_id, seq, status, user_message, idempotency_key, request_hash, attempts, result, error, created_at, started_at, finished_at';

function toTurn(row: TurnRow): Turn {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    userId: row.user_id,
    seq: row.seq,
    status: row.status,
    userMessage: row.user_message,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    attempts: row.attempts,
    result: row.result,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Completed or failed: the turn will not run again. */
export function isTurnFinished(turn: Pick<Turn, 'status'>): boolean {
  return turn.status === 'completed' || turn.status === 'failed';
}

export async function insertTurn(
  db: Queryable,
  input: { conversationId: string; userId: string; seq: number; message: string; idempotencyKey?: string; requestHash?: string },
): Promise<Turn> {
  const { rows } = await db.query<TurnRow>(
    `INSERT INTO chat_turns (conversation_id, user_id, seq, user_message, idempotency_key, request_hash)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [input.conversationId, input.userId, input.seq, input.message, input.idempotencyKey ?? null, input.requestHash ?? null],
  );
  return toTurn(rows[0]!);
}

export async function findTurnByIdempotencyKey(db: Queryable, userId: string, key: string): Promise<Turn | null> {
  const { rows } = await db.query<TurnRow>(`SELECT ${COLUMNS} FROM chat_turns WHERE user_id = $1 AND idempotency_key = $2`, [userId, key]);
  return rows[0] ? toTurn(rows[0]) : null;
}

/** The turn, whoever's it is, or null (for the worker; routes use findUserTurn). */
export async function findTurn(db: Queryable, turnId: string): Promise<Turn | null> {
  const { rows } = await db.query<TurnRow>({ name: 'turn-find', text: `SELECT ${COLUMNS} FROM chat_turns WHERE id = $1`, values: [turnId] });
  return rows[0] ? toTurn(rows[0]) : null;
}

/** The user's turn, or null: another user's turn is indistinguishable from a missing one. */
export async function findUserTurn(db: Queryable, userId: string, turnId: string): Promise<Turn | null> {
  const { rows } = await db.query<TurnRow>({
    name: 'turn-find-user',
    text: `SELECT ${COLUMNS} FROM chat_turns WHERE id = $1 AND user_id = $2`,
    values: [turnId, userId],
  });
  return rows[0] ? toTurn(rows[0]) : null;
}

/**
 * Of the given turns (any users'), those that have finished (completed or failed), in no order:
 * the batched safety net of open event streams. Callers pass at most a few thousand ids.
 */
export async function findFinishedTurns(db: Queryable, turnIds: string[]): Promise<Turn[]> {
  if (turnIds.length === 0) return [];
  const { rows } = await db.query<TurnRow>({
    name: 'turns-finished-among',
    text: `SELECT ${COLUMNS} FROM chat_turns WHERE id = ANY($1::uuid[]) AND status IN ('completed', 'failed')`,
    values: [turnIds],
  });
  return rows.map(toTurn);
}

export async function hasEarlierUnfinishedTurn(db: Queryable, conversationId: string, seq: number): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM chat_turns WHERE conversation_id = $1 AND seq < $2 AND status IN ('queued', 'running') LIMIT 1`,
    [conversationId, seq],
  );
  return rows.length > 0;
}

export type TurnClaim =
  | { kind: 'claimed'; turn: Turn; timeZone: string }
  /** Ended already; `nextTurnId` is the conversation's oldest unfinished turn, which should run now. */
  | { kind: 'finished'; nextTurnId: string | null }
  | { kind: 'missing' | 'blocked' };

/**
 * Marks a turn running, but only when it is the oldest unfinished turn of its conversation: that
 * is what keeps one conversation's turns one at a time and in acceptance order. A running turn
 * may be claimed again: that is the retry of an attempt that crashed.
 *
 * The same statement journals the user's message (step 0, at the end of the conversation; stored
 * once, a re-claim finds it there) and reads the owner's IANA time zone ('UTC' without a user
 * row), so a claimed turn costs one round trip and one transaction. Only a claim that fails asks
 * again, for the reason.
 */
export async function claimTurn(db: Queryable, turnId: string): Promise<TurnClaim> {
  const { rows } = await db.query<TurnRow & { time_zone: string | null }>({
    name: 'turn-claim',
    text: `WITH claimed AS (
       UPDATE chat_turns t SET status = 'running', attempts = t.attempts + 1, started_at = COALESCE(t.started_at, now())
       WHERE t.id = $1 AND t.status IN ('queued', 'running')
         AND NOT EXISTS (SELECT 1 FROM chat_turns e WHERE e.conversation_id = t.conversation_id AND e.seq < t.seq AND e.status IN ('queued', 'running'))
       RETURNING ${COLUMNS}
     ), user_message AS (
       INSERT INTO chat_messages (conversation_id, turn_id, position, step, role, content)
       SELECT c.conversation_id, c.id, (SELECT COALESCE(MAX(m.position), 0) + 1 FROM chat_messages m WHERE m.conversation_id = c.conversation_id), 0, 'user', c.user_message
         FROM claimed c
       ON CONFLICT DO NOTHING
     )
     SELECT c.*, u.time_zone FROM claimed c LEFT JOIN users u ON u.id = c.user_id`,
    values: [turnId],
  });
  if (rows[0]) return { kind: 'claimed', turn: toTurn(rows[0]), timeZone: rows[0].time_zone ?? 'UTC' };
  const { rows: current } = await db.query<{ status: TurnStatus; next_id: string | null }>(
    `SELECT t.status,
       (SELECT h.id FROM chat_turns h WHERE h.conversation_id = t.conversation_id AND h.status IN ('queued', 'running') ORDER BY h.seq LIMIT 1) AS next_id
     FROM chat_turns t WHERE t.id = $1`,
    [turnId],
  );
  if (!current[0]) return { kind: 'missing' };
  return isTurnFinished(current[0]) ? { kind: 'finished', nextTurnId: current[0].next_id } : { kind: 'blocked' };
}

/**
 * Records the end of a turn and returns whether this call ended it (false: it had ended already,
 * say by another runner of the same turn, and nothing was changed) and the next turn of the
 * conversation that should run now, if any. The conversation row is locked so that a turn
 * accepted at the same moment is either seen here or sees this turn finished (and then enqueues
 * itself): no turn is left waiting.
 */
export async function finishTurn(
  db: Queryable,
  turn: Pick<Turn, 'id' | 'conversationId'>,
  outcome: { status: 'completed'; result: ChatResult } | { status: 'failed'; error: TurnError },
): Promise<{ ended: boolean; nextTurnId: string | null }> {
  // Locks the conversation row (as acceptChatTurn's FOR UPDATE does) while marking its activity.
  await db.query({ name: 'turn-finish-conversation', text: 'UPDATE conversations SET updated_at = now() WHERE id = $1', values: [turn.conversationId] });
  // One statement: the outer SELECT sees the snapshot from before the UPDATE, hence `id <> $1`.
  const { rows } = await db.query<{ ended: boolean; next_id: string | null }>({
    name: 'turn-finish',
    text: `WITH ended AS (
       UPDATE chat_turns SET status = $3, result = $4, error = $5, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING id
     )
     SELECT EXISTS (SELECT 1 FROM ended) AS ended,
       (SELECT id FROM chat_turns WHERE conversation_id = $2 AND id <> $1 AND status IN ('queued', 'running') ORDER BY seq LIMIT 1) AS next_id`,
    values: [turn.id, turn.conversationId, outcome.status, outcome.status === 'completed' ? outcome.result : null, outcome.status === 'failed' ? outcome.error : null],
  });
  return { ended: rows[0]?.ended ?? false, nextTurnId: rows[0]?.next_id ?? null };
}

/** The oldest unfinished turn of every conversation: each should have a job; the sweep makes sure it does. */
export async function findHeadTurnIds(db: Queryable, limit = 1000): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT DISTINCT ON (conversation_id) id FROM chat_turns
     WHERE status IN ('queued', 'running') ORDER BY conversation_id, seq LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export function turnToJson(turn: Turn) {
  return {
    turn_id: turn.id,
    conversation_id: turn.conversationId,
    status: turn.status,
    created_at: turn.createdAt.toISOString(),
    started_at: turn.startedAt?.toISOString() ?? null,
    finished_at: turn.finishedAt?.toISOString() ?? null,
    ...(turn.result ? { result: turn.result } : {}),
    ...(turn.error ? { error: turn.error } : {}),
  };
}
