// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { click, mountFake, settle, type Mounted } from './dom.ts';

let current: Mounted | undefined;
afterEach(() => {
  current?.widget.unmount();
  current = undefined;
  sessionStorage.clear();
});

describe('the widget in a live handoff', () => {
  it('shows the person joining, their messages under their name, and leaving', async () => {
    const ui = (current = await mountFake({ greeting: 'Welcome!' }));
    await click(ui.named('Open chat'));
    await settle(() =>
      ui.chat.update({
        handoff: { reason: 'asked', queue: 'front-desk', status: 'active', agent: 'Sam' },
        messages: [
          ...ui.chat.getState().messages,
          { id: 'j', role: 'notice', notice: 'handoff-joined', author: 'Sam', text: 'Sam joined the conversation.', at: 1 },
          { id: 'a', role: 'agent', author: 'Sam', text: 'Hi, I am Sam <b>not bold</b>', at: 2 },
          { id: 'l', role: 'notice', notice: 'handoff-ended', author: 'Sam', text: 'Sam left the conversation.', at: 3 },
        ],
      }),
    );
    expect(ui.root.querySelector('[data-notice="handoff-joined"]')?.textContent).toBe('Sam joined the conversation.');
    const agent = ui.root.querySelector('.message.agent');
    expect(agent?.querySelector('.author')?.textContent).toBe('Sam: ');
    // Text, never markup: the tag is shown as written.
    expect(agent?.querySelector('.bubble')?.textContent).toBe('Hi, I am Sam <b>not bold</b>');
    expect(agent?.querySelector('b')).toBeNull();
    expect(ui.root.querySelector('[data-notice="handoff-ended"]')?.textContent).toBe('Sam left the conversation.');
  });

  it('counts a person’s messages as unread while the panel is closed', async () => {
    const ui = (current = await mountFake({ greeting: 'Welcome!' }));
    await settle(() => ui.chat.update({ messages: [...ui.chat.getState().messages, { id: 'a', role: 'agent', author: 'Sam', text: 'Are you still there?', at: 2 }] }));
    expect(ui.named('Open chat, 1 new message').tagName).toBe('BUTTON');
  });

  it('falls back to the runtime’s words for a notice without a name', async () => {
    const ui = (current = await mountFake({ greeting: 'Welcome!' }));
    await click(ui.named('Open chat'));
    await settle(() =>
      ui.chat.update({ messages: [...ui.chat.getState().messages, { id: 'l', role: 'notice', notice: 'handoff-ended', text: 'The conversation with our staff has ended.', at: 3 }] }),
    );
    expect(ui.root.querySelector('[data-notice="handoff-ended"]')?.textContent).toBe('The conversation with our staff has ended.');
  });
});
