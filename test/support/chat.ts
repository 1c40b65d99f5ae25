import type { TestUser } from './http-client.js';
import type { TestApp } from './test-app.js';

/** POST /api/{user_id}/chat as `user`, with `body` as given (message, conversation_id) and extra headers (prefer). */
export const postChat = (app: TestApp, user: TestUser, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body, headers });

/** `message` from `user` (into `conversationId` when given), waiting up to 20 s for the answer (Prefer: wait=20). */
export const sendChatMessage = (app: TestApp, user: TestUser, message: string, conversationId?: string) =>
  postChat(app, user, { message, ...(conversationId ? { conversation_id: conversationId } : {}) }, { prefer: 'wait=20' });

/** Polls GET /api/{user_id}/chat/turns/{turn_id} every 50 ms until the turn completed or failed, and returns that body; throws after about 20 s. */
export async function waitForTurn(app: TestApp, user: TestUser, turnId: string) {
  for (let i = 0; i < 400; i++) {
    const res = await app.http.get(`/api/${user.id}/chat/turns/${turnId}`, { token: user.accessToken });
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`turn ${turnId} did not end`);
}
