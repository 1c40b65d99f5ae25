import type { Queryable } from '../platform/db/index.js';
import type { ChatMessage, ProviderFields, ToolCall } from './chat.types.js';

export interface StoredMessage {
  turnId: string;
  step: number;
  role: 'user' | 'assistant' | 'tool';
  content: string | null;
  toolCalls: ToolCall[] | null;
  toolCallId: string | null;
  /** The model that wrote an assistant message; its provider fields go back only to that model. */
  model: string | null;
  providerFields: ProviderFields | null;
  createdAt: Date;
}

interface MessageRow {
  turn_id: string;
  step: number;
  role: StoredMessage['role'];
  content: string | null;
  tool_calls: ToolCall[] | null;
  tool_call_id: string | null;
  model: string | null;
  provider_fields: ProviderFields | null;
  created_at: Date;
}

const COLUMNS = 'turn_id, step, role, content, tool_calls, tool_call_id, model, provider_fields, created_at';

function toStored(row: MessageRow): StoredMessage {
  return {
    turnId: row.turn_id,
    step: row.step,
    role: row.role,
    content: row.content,
    toolCalls: row.tool_calls,
    toolCallId: row.tool_call_id,
    model: row.model,
    providerFields: row.provider_fields,
    createdAt: row.created_at,
  };
}

/** A message to journal: its turn and step, and what the model or a tool said. */
export interface AppendMessageInput {
  conversationId: string;
  turnId: string;
  step: number;
  role: StoredMessage['role'];
  content: string | null;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  model?: string;
  providerFields?: ProviderFields | null;
}

/**
 * Appends a message at the end of the conversation. Idempotent: the same (turn, step) or
 * (turn, tool call) is stored once, so a replayed turn does not duplicate its messages.
 * Returns false when it was already there.
 */
export async function appendMessage(db: Queryable, message: AppendMessageInput): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO chat_messages (conversation_id, turn_id, position, step, role, content, tool_calls, tool_call_id, model, provider_fields)
     SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3, $4, $5, $6, $7, $8, $9 FROM chat_messages WHERE conversation_id = $1
     ON CONFLICT DO NOTHING`,
    [
      message.conversationId,
      message.turnId,
      message.step,
      message.role,
      message.content,
      message.toolCalls ? JSON.stringify(message.toolCalls) : null,
      message.toolCallId ?? null,
      message.model ?? null,
      message.providerFields ? JSON.stringify(message.providerFields) : null,
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function findToolMessage(db: Queryable, turnId: string, toolCallId: string): Promise<string | null> {
  const { rows } = await db.query<{ content: string }>(
    `SELECT content FROM chat_messages WHERE turn_id = $1 AND tool_call_id = $2 AND role = 'tool'`,
    [turnId, toolCallId],
  );
  return rows[0]?.content ?? null;
}

export async function loadTurnMessages(db: Queryable, turnId: string): Promise<StoredMessage[]> {
  const { rows } = await db.query<MessageRow>(`SELECT ${COLUMNS} FROM chat_messages WHERE turn_id = $1 ORDER BY position`, [turnId]);
  return rows.map(toStored);
}

export async function loadConversationMessages(db: Queryable, conversationId: string): Promise<StoredMessage[]> {
  const { rows } = await db.query<MessageRow>(`SELECT ${COLUMNS} FROM chat_messages WHERE conversation_id = $1 ORDER BY position`, [conversationId]);
  return rows.map(toStored);
}

/**
 * The earlier turns' messages the model sees with the current turn: at most `budget` messages,
 * newest kept, cut only at a turn's first message so no tool call is separated from its results.
 */
export async function loadEarlierHistory(db: Queryable, conversationId: string, beforeTurnId: string, budget: number): Promise<StoredMessage[]> {
  if (budget <= 0) return [];
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM chat_messages
     WHERE conversation_id = $1 AND position < (SELECT MIN(position) FROM chat_messages WHERE turn_id = $2)
     ORDER BY position DESC LIMIT $3`,
    [conversationId, beforeTurnId, budget],
  );
  const messages = rows.reverse().map(toStored);
  const firstWholeTurn = messages.findIndex((m) => m.role === 'user' && m.step === 0);
  return firstWholeTurn < 0 ? [] : messages.slice(firstWholeTurn);
}

/**
 * An assistant message in model format: with `tool_calls` when it has calls, else plain text,
 * plus the provider fields its model needs back.
 */
export function toAssistantMessage(content: string | null, calls: ToolCall[] = [], providerFields?: ProviderFields | null): ChatMessage {
  const base: ChatMessage = calls.length > 0 ? { role: 'assistant', content, tool_calls: calls } : { role: 'assistant', content: content ?? '' };
  return providerFields ? { ...base, ...providerFields } : base;
}

/** A stored message's provider fields when `forModel` wrote it; another provider must not see them. */
export function providerFieldsFor(message: Pick<StoredMessage, 'model' | 'providerFields'>, forModel: string | undefined): ProviderFields | null {
  return forModel !== undefined && message.model === forModel ? message.providerFields : null;
}

/**
 * Model-format messages for `forModel`; an assistant tool call whose results are incomplete (a
 * failed turn) is left out with them.
 */
export function toChatMessages(messages: StoredMessage[], forModel?: string): ChatMessage[] {
  const answered = new Set(messages.filter((m) => m.role === 'tool').map((m) => m.toolCallId));
  const dropped = new Set<string>();
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === 'user') out.push({ role: 'user', content: m.content ?? '' });
    else if (m.role === 'assistant') {
      const calls = m.toolCalls ?? [];
      if (calls.some((c) => !answered.has(c.id))) {
        calls.forEach((c) => dropped.add(c.id));
        continue;
      }
      out.push(toAssistantMessage(m.content, calls, providerFieldsFor(m, forModel)));
    } else if (m.toolCallId && !dropped.has(m.toolCallId)) {
      out.push({ role: 'tool', tool_call_id: m.toolCallId, content: m.content ?? '' });
    }
  }
  return out;
}

/** A message as the conversation API shows it: provider fields (reasoning) are never included. */
export function storedMessageToJson(m: StoredMessage) {
  return {
    role: m.role,
    content: m.content,
    ...(m.toolCalls ? { tool_calls: m.toolCalls } : {}),
    ...(m.toolCallId ? { tool_call_id: m.toolCallId } : {}),
    created_at: m.createdAt.toISOString(),
  };
}
