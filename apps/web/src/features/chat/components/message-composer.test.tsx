import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MessageComposer } from './message-composer';

describe('MessageComposer', () => {
  it('sends on Enter, starts a new line on Shift+Enter, and ignores a blank message', async () => {
    const onSend = vi.fn();
    render(<MessageComposer onSend={onSend} />);
    const box = screen.getByLabelText('Message the assistant');

    await userEvent.type(box, '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();

    await userEvent.clear(box);
    await userEvent.type(box, 'Add eggs{Shift>}{Enter}{/Shift}and bread');
    expect(box).toHaveValue('Add eggs\nand bread');
    expect(onSend).not.toHaveBeenCalled();

    await userEvent.type(box, '{Enter}');
    expect(onSend).toHaveBeenCalledWith('Add eggs\nand bread');
    expect(box).toHaveValue('');
  });
});
