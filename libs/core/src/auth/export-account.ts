import { conversationToJson, listConversations } from '../chat/conversation.repository.js';
import { loadConversationMessages, storedMessageToJson } from '../chat/message.repository.js';
import { withTransaction, type Pool, type Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { selectTasks, type TaskKey } from '../tasks/task.repository.js';
import { taskToJson, type TaskJson } from '../tasks/task.service.js';
import { findUserById } from '../users/index.js';
import { userToJson, type UserJson } from './session.js';

const PAGE = 500;

export interface AccountExport {
  format: 'todo-ai-chatbot-export';
  version: 1;
  exported_at: string;
  user: UserJson;
  tasks: TaskJson[];
  conversations: Array<ReturnType<typeof conversationToJson> & { messages: Array<ReturnType<typeof storedMessageToJson>> }>;
}

async function allTasks(db: Queryable, userId: string): Promise<TaskJson[]> {
  const tasks: TaskJson[] = [];
  let after: TaskKey | undefined;
  for (;;) {
    const page = await selectTasks(db, userId, { filter: { status: 'all' }, order: { field: 'id', isDescending: false }, after, limit: PAGE });
    tasks.push(...page.map(({ task }) => taskToJson(task)));
    if (page.length < PAGE) return tasks;
    after = page[page.length - 1]!.key;
  }
}

/**
 * Everything the user owns, as one JSON document they can take elsewhere: profile, every task,
 * every conversation with every message in model format. Read in one repeatable-read snapshot,
 * so a chat running meanwhile cannot leave a message without its conversation.
 */
export async function exportAccount(db: Pool, userId: string, now = new Date()): Promise<AccountExport> {
  return withTransaction(db, async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const user = await findUserById(tx, userId);
    if (!user) throw new AppError('unauthorized', 'Access token has been revoked.');
    const tasks = await allTasks(tx, userId);
    const conversations: AccountExport['conversations'] = [];
    let cursor: string | undefined;
    do {
      const page = await listConversations(tx, userId, { limit: PAGE, cursor });
      for (const conversation of page.conversations) {
        const messages = await loadConversationMessages(tx, conversation.id);
        conversations.push({ ...conversationToJson(conversation), messages: messages.map(storedMessageToJson) });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { format: 'todo-ai-chatbot-export', version: 1, exported_at: now.toISOString(), user: userToJson(user), tasks, conversations };
  });
}
