import { z } from 'zod';
import {
  acceptChatTurn,
  assertEmailVerified,
  AcceptedTurnJsonSchema,
  AppError,
  ChatRequestSchema,
  ChatResultJsonSchema,
  conversationToJson,
  ConversationDetailJsonSchema,
  ConversationPageJsonSchema,
  deleteConversation,
  enforceRateLimits,
  findConversation,
  findUserTurn,
  listConversations,
  ListConversationsQuerySchema,
  loadConversationMessages,
  storedMessageToJson,
  turnToJson,
  TurnJsonSchema,
  type Turn,
} from '@todo/core';
import type { ApiRequest } from '../http/route.js';
import type { AppDeps } from '../app.js';
import { defineRoute, STREAMED, type RouteDefinition } from '../http/route.js';
import { hasSeenTurnEnd, streamTurnEvents } from '../http/sse.js';
import { waitForTurnOutcome } from '../http/turn-outcome.js';

const tag = 'Chat';
const UserPath = z.object({ user_id: z.string().meta({ format: 'uuid' }) });
const uuid = (what: string) => z.uuid({ error: `must be a ${what} id (UUID)` });
const TurnPath = UserPath.extend({ turn_id: uuid('turn') });
const ConversationPath = UserPath.extend({ conversation_id: uuid('conversation') });
/** EventSource cannot send headers, and a page polling the turn may only hold the same token. */
const QueryToken = z.object({
  access_token: z.string().optional().meta({ description: 'For EventSource, which cannot send headers; never logged' }),
});
const MAX_WAIT_SECONDS = 60;

/** RFC 7240 `Prefer: wait=N`, capped at 60 s; undefined when not asked. */
export function preferredWaitSeconds(req: ApiRequest): number | undefined {
  const match = /(?:^|[\s,;])wait=(\d{1,6})\b/i.exec([req.headers.prefer ?? ''].flat().join(','));
  return match ? Math.min(Number(match[1]), MAX_WAIT_SECONDS) : undefined;
}

function idempotencyKey(req: ApiRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    });
  }
  return key;
}

const wantsEventStream = (req: ApiRequest) => (req.headers.accept ?? '').includes('text/event-stream');

export function chatRoutes(deps: AppDeps): RouteDefinition[] {
  const { db, redis, config, queue, events, openStreams, sseHeartbeatMs, logger } = deps;
  const streamDeps = { db, redis, events, redisKeyPrefix: config.redisKeyPrefix, heartbeatMs: sseHeartbeatMs, openStreams, logger };
  const links = (userId: string, turn: Turn) => {
    const self = `/api/${userId}/chat/turns/${turn.id}`;
    return { self, events: `${self}/events` };
  };
  const accepted = (userId: string, turn: Turn) => ({
    status: 202,
    headers: { Location: links(userId, turn).self },
    body: { turn_id: turn.id, conversation_id: turn.conversationId, status: turn.status, links: links(userId, turn) },
  });

  return [
    defineRoute({
      method: 'post',
      path: '/api/{user_id}/chat',
      operationId: 'chat',
      summary: 'Send a message to the assistant',
      description: [
        'Stores the turn and queues it. By default answers 202 with links to poll or stream.',
        'With `Prefer: wait=N` (N ≤ 60) waits up to N seconds: 200 with the result when the turn completed,',
        '200 with the turn (status "failed", error) when it failed, else the 202.',
        'With `Accept: text/event-stream` the response is the turn\'s event stream.',
        'An `Idempotency-Key` header makes a retried request return the same turn.',
      ].join(' '),
      tag,
      isAuthenticated: true,
      params: UserPath,
      body: ChatRequestSchema,
      responses: {
        200: { description: 'The turn ended within the wait: its result (or the failed turn)', schema: z.union([ChatResultJsonSchema, TurnJsonSchema]) },
        202: { description: 'Accepted; poll links.self or stream links.events', schema: AcceptedTurnJsonSchema },
        404: { description: 'Unknown conversation_id' },
        409: { description: 'Idempotency-Key reused for a different message' },
        403: { description: 'email_not_verified: REQUIRE_EMAIL_VERIFICATION is on and the address is not verified yet' },
        429: { description: 'More than CHAT_RATE_LIMIT_PER_MINUTE messages from this user in a minute' },
      },
      async handle({ userId, body, req, res }) {
        await assertEmailVerified({ db, config }, userId);
        await enforceRateLimits(redis, config.redisKeyPrefix, [
          { name: 'chat:user', subject: userId, limit: config.chatRateLimitPerMinute, windowSeconds: 60 },
        ]);
        const { turn } = await acceptChatTurn(
          { db, redis, queue, logger: req.log, redisKeyPrefix: config.redisKeyPrefix },
          { userId, message: body.message, conversationId: body.conversation_id, idempotencyKey: idempotencyKey(req) },
        );
        if (wantsEventStream(req)) {
          res.setHeader('Location', links(userId, turn).self);
          await streamTurnEvents(streamDeps, { req, res, turn });
          return STREAMED;
        }
        const wait = preferredWaitSeconds(req);
        const answer = wait === undefined ? null : await waitForTurnOutcome(streamDeps, { turn, userId, timeoutMs: wait * 1000 });
        if (answer) {
          return {
            status: 200,
            headers: { 'Preference-Applied': `wait=${wait}`, 'Content-Location': links(userId, turn).self },
            body: answer,
          };
        }
        return accepted(userId, turn);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/chat/turns/{turn_id}',
      operationId: 'getTurn',
      summary: 'A chat turn: its status, and its result or error once it ended',
      tag,
      isAuthenticated: true,
      acceptsQueryToken: true,
      params: TurnPath,
      query: QueryToken,
      responses: { 200: { description: 'The turn', schema: TurnJsonSchema }, 404: { description: 'No such turn for this user' } },
      async handle({ userId, params }) {
        const turn = await findUserTurn(db, userId, params.turn_id);
        if (!turn) throw new AppError('not_found', 'Turn not found');
        return { status: 200, body: turnToJson(turn) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/chat/turns/{turn_id}/events',
      operationId: 'streamTurnEvents',
      summary: "A turn's events as Server-Sent Events",
      description:
        'Events: status, tool_call, tool_result, message.delta, then completed or failed, after which the stream ends. ' +
        'Each has an id; reconnect with Last-Event-ID to get only later events. Heartbeat comments every 15 s. ' +
        'A reconnect at or past the final event of a finished turn gets 204, which stops an EventSource.',
      tag,
      isAuthenticated: true,
      acceptsQueryToken: true,
      params: TurnPath,
      query: QueryToken,
      responses: {
        200: { description: 'text/event-stream' },
        204: { description: 'The turn ended and Last-Event-ID is at or past its final event: nothing more will come' },
        404: { description: 'No such turn for this user' },
      },
      async handle({ userId, params, req, res }) {
        const turn = await findUserTurn(db, userId, params.turn_id);
        if (!turn) throw new AppError('not_found', 'Turn not found');
        if (await hasSeenTurnEnd(streamDeps, { req, turn })) return { status: 204 };
        await streamTurnEvents(streamDeps, { req, res, turn });
        return STREAMED;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/conversations',
      operationId: 'listConversations',
      summary: 'Conversations, most recently active first',
      tag,
      isAuthenticated: true,
      params: UserPath,
      query: ListConversationsQuerySchema,
      responses: { 200: { description: 'One page of conversations', schema: ConversationPageJsonSchema } },
      async handle({ userId, query }) {
        const page = await listConversations(db, userId, query);
        return { status: 200, body: { conversations: page.conversations.map(conversationToJson), next_cursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/conversations/{conversation_id}',
      operationId: 'getConversation',
      summary: 'A conversation with its messages (user, assistant with tool calls, tool results) in order',
      tag,
      isAuthenticated: true,
      params: ConversationPath,
      responses: { 200: { description: 'The conversation', schema: ConversationDetailJsonSchema }, 404: { description: 'No such conversation' } },
      async handle({ userId, params }) {
        const conversation = await findConversation(db, userId, params.conversation_id);
        if (!conversation) throw new AppError('not_found', 'Conversation not found');
        const messages = await loadConversationMessages(db, conversation.id);
        return { status: 200, body: { ...conversationToJson(conversation), messages: messages.map(storedMessageToJson) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/{user_id}/conversations/{conversation_id}',
      operationId: 'deleteConversation',
      summary: 'Delete a conversation, its turns and messages (tasks stay)',
      tag,
      isAuthenticated: true,
      params: ConversationPath,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'No such conversation' } },
      async handle({ userId, params }) {
        await deleteConversation(db, userId, params.conversation_id);
        return { status: 204 };
      },
    }),
  ];
}

