import { z } from 'zod';
import { PageLimitSchema } from '../platform/validation.js';

export const ChatRequestSchema = z.strictObject({
  message: z.string().trim().min(1, 'must not be blank').max(4000, 'must be at most 4000 characters')
    .meta({ example: 'Add a task to buy groceries' }),
  conversation_id: z.uuid({ error: 'must be a conversation id (UUID)' }).optional()
    .meta({ description: 'Continue this conversation; omit to start a new one' }),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const ToolCallRecordSchema = z.object({
  tool: z.string(),
  input: z.unknown(),
  result: z.record(z.string(), z.unknown()),
});

export const ChatResultJsonSchema = z
  .object({
    turn_id: z.uuid(),
    conversation_id: z.uuid(),
    message: z.string(),
    tool_calls: z.array(ToolCallRecordSchema),
    finish_reason: z.enum(['stop', 'length', 'max_steps']),
  })
  .meta({ id: 'ChatResult' });
export type ChatResult = z.infer<typeof ChatResultJsonSchema>;

/** Why a turn failed: the model codes of `ModelError`, or `internal` for anything else. */
export const TURN_ERROR_CODES = [
  'model_auth_failed',
  'model_bad_request',
  'model_rate_limited',
  'model_unavailable',
  'model_timeout',
  'model_invalid_output',
  'model_output_truncated',
  'internal',
] as const;
export type TurnErrorCode = (typeof TURN_ERROR_CODES)[number];

export const TurnErrorSchema = z.object({ code: z.enum(TURN_ERROR_CODES), message: z.string() }).meta({ id: 'TurnError' });
export type TurnError = z.infer<typeof TurnErrorSchema>;

export const TurnStatusSchema = z.enum(['queued', 'running', 'completed', 'failed']);
export type TurnStatus = z.infer<typeof TurnStatusSchema>;

export const TurnJsonSchema = z
  .object({
    turn_id: z.uuid(),
    conversation_id: z.uuid(),
    status: TurnStatusSchema,
    created_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    finished_at: z.iso.datetime().nullable(),
    result: ChatResultJsonSchema.optional(),
    error: TurnErrorSchema.optional(),
  })
  .meta({ id: 'ChatTurn' });

export const AcceptedTurnJsonSchema = z
  .object({
    turn_id: z.uuid(),
    conversation_id: z.uuid(),
    status: TurnStatusSchema,
    links: z.object({ self: z.string(), events: z.string() }),
  })
  .meta({ id: 'AcceptedTurn' });

export const ConversationJsonSchema = z
  .object({ id: z.uuid(), title: z.string(), created_at: z.iso.datetime(), updated_at: z.iso.datetime() })
  .meta({ id: 'Conversation' });

export const ConversationPageJsonSchema = z
  .object({ conversations: z.array(ConversationJsonSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'ConversationPage' });

export const StoredMessageJsonSchema = z
  .object({
    role: z.enum(['user', 'assistant', 'tool']),
    content: z.string().nullable(),
    tool_calls: z.array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) })).optional(),
    tool_call_id: z.string().optional(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'StoredMessage' });

export const ConversationDetailJsonSchema = z
  .object({ id: z.uuid(), title: z.string(), created_at: z.iso.datetime(), updated_at: z.iso.datetime(), messages: z.array(StoredMessageJsonSchema) })
  .meta({ id: 'ConversationDetail' });

export const ListConversationsQuerySchema = z.object({
  limit: PageLimitSchema,
  cursor: z.string().max(200, 'is not a valid cursor').optional(),
});
