// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { click, key, mountFake, settle, submit, type, type Mounted } from './dom.ts';

let current: Mounted | undefined;
async function setup(...args: Parameters<typeof mountFake>): Promise<Mounted> {
  current = await mountFake(...args);
  return current;
}
afterEach(() => {
  current?.widget.unmount();
  current = undefined;
  // The widget remembers its open state per tab; each test is a new visit.
  sessionStorage.clear();
});

async function openPanel(ui: Mounted): Promise<void> {
  await click(ui.named('Open chat'));
}

describe('the widget over a Chat', () => {
  it('renders in a shadow root with an adopted stylesheet and no inline styles', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await openPanel(ui);
    expect(ui.widget.host.shadowRoot).toBe(ui.root);
    // The launcher's sheet and the panel's.
    expect(ui.root.adoptedStyleSheets).toHaveLength(2);
    expect(ui.all('style')).toEqual([]);
    expect(ui.all('[style]')).toEqual([]);
    expect(document.body.querySelectorAll('style')).toHaveLength(0);
  });

  it('opens from the launcher with the names visitors and tests rely on, and focuses the message box', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    const launcher = ui.named('Open chat');
    expect(launcher.tagName).toBe('BUTTON');
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(ui.maybeNamed('Message')).toBeNull();

    await openPanel(ui);
    expect(ui.widget.isOpen).toBe(true);
    expect(ui.named('Close chat').tagName).toBe('BUTTON');
    const input = ui.named<HTMLTextAreaElement>('Message');
    expect(input.tagName).toBe('TEXTAREA');
    expect(ui.named('Send').getAttribute('type')).toBe('submit');
    const log = ui.root.querySelector('[role="log"]');
    expect(log?.getAttribute('aria-live')).toBe('polite');
    expect(log?.textContent).toContain('Welcome!');
    expect(ui.root.activeElement).toBe(input);
    expect(ui.root.querySelector('[role="dialog"] h2')?.textContent).toBe('Fake Bistro');
  });

  it('closes on Escape and gives focus back to the launcher', async () => {
    const ui = await setup();
    await openPanel(ui);
    await key(ui.named('Message'), 'Escape');
    expect(ui.widget.isOpen).toBe(false);
    expect(ui.maybeNamed('Message')).toBeNull();
    expect(ui.root.activeElement).toBe(ui.named('Open chat'));
  });

  it('closes from the close button, and opens and closes through the handle', async () => {
    const changes: boolean[] = [];
    const ui = await setup({}, { onOpenChange: (open) => changes.push(open) });
    await settle(() => ui.widget.open());
    await click(ui.named('Close chat'));
    expect(ui.root.activeElement).toBe(ui.named('Open chat'));
    await settle(() => ui.widget.toggle());
    expect(ui.widget.isOpen).toBe(true);
    expect(changes).toEqual([true, false, true]);
  });

  it('sends typed text, shows it with its status and a typing indicator, then the reply and its quick replies', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await openPanel(ui);
    const input = ui.named<HTMLInputElement>('Message');
    await type(input, '  I want to make a reservation ');
    await submit(input);
    expect(ui.chat.calls).toContainEqual({ method: 'send', argument: 'I want to make a reservation' });
    expect(input.value).toBe('');
    const message = ui.all('.message.user')[0];
    expect(message?.dataset.status).toBe('sent');
    expect(message?.textContent).toContain('Sent');
    expect(ui.root.querySelector('.typing')?.textContent).toContain('Typing…');

    await settle(() => ui.chat.reply('How many people?', ['2', '4', '6']));
    expect(ui.root.querySelector('.typing')).toBeNull();
    expect(ui.all('.message.user')[0]?.dataset.status).toBe('answered');
    const chips = ui.all('[role="group"][aria-label="Quick replies"] button');
    expect(chips.map((chip) => chip.textContent)).toEqual(['2', '4', '6']);

    await click(chips[1]!);
    expect(ui.chat.calls.at(-1)).toEqual({ method: 'choose', argument: { label: '4', value: '4' } });
    expect(ui.all('.chip')).toEqual([]);
    expect(ui.root.activeElement).toBe(input);
  });

  it('ignores an empty message', async () => {
    const ui = await setup();
    await openPanel(ui);
    const input = ui.named<HTMLInputElement>('Message');
    await type(input, '   ');
    await submit(input);
    expect(ui.chat.calls).toEqual([]);
  });

  it('shows an offline banner, keeps a message queued, and delivers it when back online', async () => {
    const ui = await setup({ online: false });
    await openPanel(ui);
    expect(ui.root.querySelector('.banner[role="status"]')?.textContent).toMatch(/offline/i);
    const input = ui.named<HTMLInputElement>('Message');
    await type(input, 'We are 4 people');
    await submit(input);
    const message = () => ui.all('.message.user')[0];
    expect(message()?.dataset.status).toBe('pending');
    expect(message()?.textContent).toContain('Queued');

    await settle(() => ui.chat.setOnline(true));
    expect(ui.root.querySelector('.banner')).toBeNull();
    expect(message()?.dataset.status).toBe('sent');
  });

  it('shows a failed message with its reason and retries it', async () => {
    const ui = await setup();
    await openPanel(ui);
    const input = ui.named<HTMLInputElement>('Message');
    await type(input, 'Tomorrow at 7pm');
    await submit(input);
    await settle(() => ui.chat.fail({ code: 'relay_unreachable', message: 'the relay did not answer', retryable: true }));
    const message = ui.all('.message.user')[0]!;
    expect(message.dataset.status).toBe('failed');
    // Plain words and what to do; never the developer's text.
    expect(message.textContent).toContain('Not sent. Check your connection and try again.');
    expect(message.textContent).not.toContain('the relay did not answer');
    const retry = [...message.querySelectorAll('button')].find((button) => button.textContent === 'Retry');
    await click(retry!);
    expect(ui.chat.calls.at(-1)).toEqual({ method: 'retry', argument: message.dataset.id });
    expect(ui.all('.message.user')[0]?.dataset.status).toBe('sent');
  });

  it('offers no Retry when retrying cannot help', async () => {
    const ui = await setup();
    await openPanel(ui);
    await settle(() => void ui.chat.send('hello'));
    await settle(() => ui.chat.fail({ code: 'too_long', message: 'too long', retryable: false }));
    expect(ui.root.querySelector('.message.user button')).toBeNull();
  });

  it('shows the handoff notice and the end of the conversation, and starts again', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await openPanel(ui);
    await settle(() => ui.chat.handoff('manager'));
    expect(ui.root.querySelector('[data-notice="handoff"]')?.textContent).toBe('A member of our staff will take it from here.');
    // The end is said inside the live log, so screen readers announce it.
    expect(ui.root.querySelector('[role="log"] [data-ended]')?.textContent).toBe('This conversation has ended.');
    // The visitor may still write after the end (small talk is answered, anything else offers a new start).
    expect(ui.named<HTMLInputElement>('Message').disabled).toBe(false);
    const again = ui.all('.ended button')[0]!;
    expect(again.textContent).toBe('Start a new conversation');
    // The message box stays usable after the end, so focus stays with it.
    expect(ui.root.activeElement).toBe(ui.named<HTMLInputElement>('Message'));
    await click(again);
    expect(ui.chat.calls.at(-1)).toEqual({ method: 'reset' });
    expect(ui.named<HTMLInputElement>('Message').disabled).toBe(false);
  });

  it('restarts from the header only after confirming, away from Close', async () => {
    const ui = await setup();
    await openPanel(ui);
    const header = ui.root.querySelector('.header')!;
    const buttons = [...header.querySelectorAll('button')];
    expect(buttons.map((button) => button.getAttribute('aria-label'))).toEqual(['Start over', 'Close chat']);
    await click(ui.named('Start over'));
    expect(ui.chat.calls).toEqual([]);
    expect(ui.text()).toContain('Start over? This conversation will be cleared.');
    const cancel = ui.all('.confirm button').find((button) => button.textContent === 'Cancel')!;
    expect(ui.root.activeElement).toBe(cancel);
    await click(cancel);
    expect(ui.root.querySelector('.confirm')).toBeNull();
    await click(ui.named('Start over'));
    await click(ui.all('.confirm button').find((button) => button.textContent === 'Yes, start over')!);
    expect(ui.chat.calls).toEqual([{ method: 'reset' }]);
  });

  it('says when the conversation lives in memory only, and shows a loading state', async () => {
    const ui = await setup({ storage: 'memory' });
    await openPanel(ui);
    expect(ui.text()).toContain('will not be kept');
    await settle(() => ui.chat.update({ ready: false, phase: 'loading', messages: [] }));
    expect(ui.text()).toContain('Loading…');
    expect(ui.named<HTMLInputElement>('Message').disabled).toBe(true);
  });

  it('shows a stopping error as an alert', async () => {
    const ui = await setup();
    await openPanel(ui);
    await settle(() => ui.chat.update({ phase: 'error', error: { code: 'flow_unavailable', message: 'The chat is unavailable right now.' } }));
    expect(ui.root.querySelector('[role="alert"]')?.textContent).toBe('The chat is unavailable right now. Please try again later.');
  });

  it('takes its strings, title, language and theme from options', async () => {
    const ui = await setup(
      {},
      {
        strings: { openChat: 'فتح المحادثة', send: 'إرسال' },
        language: 'ar',
        title: 'مطعم',
        theme: { accent: '#0b6e4f', accentText: '#fff' },
        colorScheme: 'dark',
        position: 'left',
      },
    );
    const launcher = ui.named('فتح المحادثة');
    await click(launcher);
    const root = ui.root.querySelector<HTMLElement>('.root')!;
    expect(root.getAttribute('dir')).toBe('rtl');
    expect(root.getAttribute('lang')).toBe('ar');
    expect(root.dataset.position).toBe('left');
    expect(ui.named('إرسال')).toBeTruthy();
    expect(ui.root.querySelector('h2')?.textContent).toBe('مطعم');
    expect(ui.widget.host.style.getPropertyValue('--statechat-accent')).toBe('#0b6e4f');
    expect(ui.widget.host.style.getPropertyValue('--statechat-accent-text')).toBe('#fff');
    expect(ui.widget.host.dataset.colorScheme).toBe('dark');
  });

  it('removes its host element on unmount', async () => {
    const ui = await setup();
    const host = ui.widget.host;
    expect(host.isConnected).toBe(true);
    ui.widget.unmount();
    expect(host.isConnected).toBe(false);
    current = undefined;
  });
});

describe('focus while the chat loads', () => {
  it('holds focus on the panel until the message box can be used, then moves it there', async () => {
    const ui = await setup();
    await settle(() => ui.chat.update({ ready: false, phase: 'loading' }));
    await openPanel(ui);
    expect(ui.root.activeElement).toBe(ui.root.querySelector('[role="dialog"]'));
    await settle(() => ui.chat.update({ ready: true, phase: 'active' }));
    expect(ui.root.activeElement).toBe(ui.named('Message'));
  });
});
