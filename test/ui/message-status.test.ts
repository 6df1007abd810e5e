// @vitest-environment happy-dom
/** The status line under a visitor message: queued whenever it waits for the network, online or not. */
import { afterEach, describe, expect, it } from 'vitest';
import { click, mountFake, settle, submit, type, type Mounted } from './dom.ts';

let current: Mounted | undefined;
afterEach(() => {
  current?.widget.unmount();
  current = undefined;
});

async function sendOne(): Promise<Mounted> {
  current = await mountFake({ greeting: 'Welcome!' });
  await click(current.named('Open chat'));
  const input = current.named<HTMLInputElement>('Message');
  await type(input, 'We are 4 people');
  await submit(input);
  return current;
}

const userMessage = (ui: Mounted) => ui.all('.message.user')[0];
const typing = (ui: Mounted) => ui.root.querySelector('.typing');

describe('a visitor message waiting for the relay', () => {
  it('says Queued, not Sent, while online but the relay cannot be reached', async () => {
    const ui = await sendOne();
    const id = ui.chat.getState().messages.at(-1)?.id;
    await settle(() =>
      ui.chat.update({ messages: ui.chat.getState().messages.map((message) => (message.id === id ? { ...message, status: 'queued' } : message)), queued: 1 }),
    );
    expect(ui.chat.getState().online).toBe(true);
    expect(userMessage(ui)?.dataset.status).toBe('queued');
    expect(userMessage(ui)?.querySelector('.status')?.textContent).toBe('Queued — will send when the connection is back');
    expect(typing(ui)).not.toBeNull();
  });
});
