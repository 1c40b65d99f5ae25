import { useId, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';

export const MAX_MESSAGE_LENGTH = 4000;

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function MessageComposer({ onSend, inputRef }: { onSend: (message: string) => void; inputRef?: Ref<HTMLTextAreaElement> }) {
  const id = useId();
  const [message, setMessage] = useState('');

  const send = () => {
    const text = message.trim();
    if (!text) return;
    onSend(text);
    setMessage('');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        Message the assistant
      </label>
      <textarea
        id={id}
        ref={inputRef}
        className="input composer__input"
        rows={2}
        maxLength={MAX_MESSAGE_LENGTH}
        placeholder="Ask the assistant… e.g. “Add a task to buy milk due tomorrow”"
        aria-describedby={`${id}-hint`}
        value={message}
        onChange={(e) => setMessage(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <p id={`${id}-hint`} className="visually-hidden">
        Enter sends, Shift+Enter starts a new line.
      </p>
      <button type="submit" className="button button--primary composer__send" disabled={!message.trim()}>
        Send
      </button>
    </form>
  );
}
