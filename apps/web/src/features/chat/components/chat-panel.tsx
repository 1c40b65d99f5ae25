import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Alert } from '../../../components/ui/alert';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { errorMessage } from '../../../lib/api-error';
import { useConversation } from '../api/get-conversation';
import { useConversations } from '../api/get-conversations';
import { useDeleteConversation } from '../api/delete-conversation';
import { usePendingTurns } from '../hooks/use-pending-turns';
import { toChatItems } from '../utils/tool-summary';
import { MessageComposer } from './message-composer';
import { MessageList } from './message-list';

const NEW_CONVERSATION = '';

/**
 * The chat: pick a conversation (newest first) or start a new one, read its history, and talk to
 * the assistant. `onTasksChanged` runs when one of its tools changed a task.
 */
export function ChatPanel({ userId, onTasksChanged }: { userId: string; onTasksChanged: () => void }) {
  const pickerId = useId();
  const conversations = useConversations(userId);
  // undefined: not chosen yet (the newest is shown once the list arrives); null: a new conversation.
  const [chosenId, setChosenId] = useState<string | null | undefined>(undefined);
  const [isConfirmingDelete, setIsConfirmingDelete] = useState(false);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const newest = conversations.data?.conversations[0]?.id ?? null;
  const selectedId = chosenId === undefined ? newest : chosenId;
  const conversation = useConversation(userId, selectedId);
  const deleteConversation = useDeleteConversation(userId);
  const { turns, send, dismiss } = usePendingTurns({ userId, onConversation: setChosenId, onTasksChanged });

  const items = useMemo(() => toChatItems(conversation.data?.messages ?? []), [conversation.data]);
  const visibleTurns = turns.filter((t) => t.conversationId === selectedId);
  const list = conversations.data?.conversations ?? [];
  // A conversation created a moment ago may not be in the fetched list yet.
  const isSelectedListed = selectedId === null || list.some((c) => c.id === selectedId);

  useEffect(() => {
    if (chosenId && conversations.data && conversation.isError) setChosenId(null);
  }, [chosenId, conversations.data, conversation.isError]);

  const startNew = () => {
    setChosenId(null);
    composerRef.current?.focus();
  };

  return (
    <section className="panel chat-panel" aria-labelledby="chat-heading">
      <div className="chat-panel__header">
        <h2 id="chat-heading" className="panel__title">
          Chat
        </h2>
        <div className="chat-panel__controls">
          <label htmlFor={pickerId} className="visually-hidden">
            Conversation
          </label>
          <select id={pickerId} className="input chat-panel__picker" value={selectedId ?? NEW_CONVERSATION} onChange={(e) => setChosenId(e.target.value || null)}>
            <option value={NEW_CONVERSATION}>New conversation</option>
            {!isSelectedListed && selectedId && <option value={selectedId}>{conversation.data?.title ?? 'This conversation'}</option>}
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
          <button type="button" className="button button--secondary button--small" onClick={startNew}>
            New
          </button>
          <button
            type="button"
            className="button button--ghost button--small button--danger-text"
            disabled={!selectedId}
            onClick={() => setIsConfirmingDelete(true)}
            aria-label="Delete this conversation"
          >
            Delete
          </button>
        </div>
      </div>
      {conversations.isError && <Alert>{errorMessage(conversations.error)}</Alert>}
      {selectedId && conversation.isPending ? (
        <p className="muted messages" role="status">
          Loading the conversation…
        </p>
      ) : items.length === 0 && visibleTurns.length === 0 ? (
        <div className="messages chat-empty">
          <p className="empty-state__title">Ask the assistant</p>
          <p className="muted">It can add, list, change, complete and delete your tasks. Try:</p>
          <ul className="chat-empty__examples">
            <li>“Add a task to buy milk due tomorrow”</li>
            <li>“What’s left to do?”</li>
            <li>“Mark task 1 as done”</li>
          </ul>
        </div>
      ) : (
        <MessageList
          items={items}
          turns={visibleTurns}
          onRetry={(turn) => {
            dismiss(turn.key);
            void send(turn.message, turn.conversationId);
          }}
          onDismiss={(turn) => dismiss(turn.key)}
        />
      )}
      <MessageComposer inputRef={composerRef} onSend={(message) => void send(message, selectedId)} />
      <ConfirmDialog
        isOpen={isConfirmingDelete}
        title="Delete this conversation?"
        confirmLabel="Delete conversation"
        isDanger
        isBusy={deleteConversation.isPending}
        onCancel={() => setIsConfirmingDelete(false)}
        onConfirm={() =>
          selectedId &&
          deleteConversation.mutate(selectedId, {
            onSettled: () => setIsConfirmingDelete(false),
            onSuccess: () => setChosenId(null),
          })
        }
      >
        <p>“{conversation.data?.title ?? 'This conversation'}” and its messages will be deleted. Your tasks stay as they are.</p>
      </ConfirmDialog>
    </section>
  );
}
