import { useEffect, useRef } from 'react';
import type { PendingTurn } from '../hooks/use-pending-turns';
import type { ChatItem } from '../utils/tool-summary';
import { ToolActivityList } from './tool-activity-list';

const STATUS_TEXT: Record<PendingTurn['status'], string> = {
  sending: 'Sending…',
  queued: 'Queued: waiting for the previous message to finish…',
  running: 'Thinking…',
  completed: '',
  failed: '',
};

/** The conversation so far, then this tab's turns still on their way; follows the newest line. */
export function MessageList({
  items,
  turns,
  onRetry,
  onDismiss,
}: {
  items: ChatItem[];
  turns: PendingTurn[];
  onRetry: (turn: PendingTurn) => void;
  onDismiss: (turn: PendingTurn) => void;
}) {
  const endRef = useRef<HTMLDivElement>(null);
  const lastTurn = turns.at(-1);
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [items.length, turns.length, lastTurn?.text, lastTurn?.activities.length, lastTurn?.status]);

  return (
    <div className="messages" role="log" aria-label="Messages">
      {items.map((item) =>
        item.kind === 'tools' ? (
          <ToolActivityList key={item.key} activities={item.activities} />
        ) : (
          <p key={item.key} className={`bubble bubble--${item.kind}`}>
            <span className="visually-hidden">{item.kind === 'user' ? 'You: ' : 'Assistant: '}</span>
            {item.text}
          </p>
        ),
      )}
      {turns.map((turn) => (
        <div key={turn.key} className="pending-turn" aria-busy={turn.status !== 'completed' && turn.status !== 'failed'}>
          <p className="bubble bubble--user">
            <span className="visually-hidden">You: </span>
            {turn.message}
          </p>
          {turn.activities.length > 0 && <ToolActivityList activities={turn.activities} />}
          {turn.text && (
            <p className="bubble bubble--assistant">
              <span className="visually-hidden">Assistant: </span>
              {turn.text}
            </p>
          )}
          {STATUS_TEXT[turn.status] && !turn.text && (
            <p className="turn-status" role="status">
              {STATUS_TEXT[turn.status]}
            </p>
          )}
          {turn.status === 'failed' && (
            <div className="turn-failed" role="alert">
              <p>The assistant could not answer: {turn.error}</p>
              <div className="turn-failed__actions">
                <button type="button" className="button button--secondary button--small" onClick={() => onRetry(turn)}>
                  Retry
                </button>
                <button type="button" className="button button--ghost button--small" onClick={() => onDismiss(turn)}>
                  Dismiss
                </button>
              </div>
            </div>
          )}
        </div>
      ))}
      <div ref={endRef} />
    </div>
  );
}
