// @vitest-environment happy-dom
/** What a visitor sees and hears around the conversation: honest states, the closed launcher, the phone modal, the controls. */
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ChatMessage } from '../../widget/chat-types.ts';
import { click, key, mountFake, settle, type, type Mounted } from './dom.ts';

let current: Mounted | undefined;
async function setup(...args: Parameters<typeof mountFake>): Promise<Mounted> {
  current = await mountFake(...args);
  return current;
}
afterEach(() => {
  current?.widget.unmount();
  current = undefined;
  sessionStorage.clear();
  document.documentElement.removeAttribute('lang');
  vi.unstubAllGlobals();
});

const typing = (ui: Mounted) => ui.root.querySelector('.typing');
const box = (ui: Mounted) => ui.named<HTMLTextAreaElement>('Message');
const bot = (id: string, text: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id, role: 'bot', text, at: Date.parse('2026-11-30T18:05:00Z'), ...extra });

async function send(ui: Mounted, text: string): Promise<void> {
  await type(box(ui) as unknown as HTMLInputElement, text);
  await key(box(ui), 'Enter');
}

async function until(check: () => boolean): Promise<void> {
  await vi.waitFor(() => {
    if (!check()) throw new Error('not yet');
  });
}

describe('honest states', () => {
  it('shows typing dots only while an answer is really on its way', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await click(ui.named('Open chat'));
    await send(ui, 'hello');
    expect(typing(ui)).not.toBeNull();
    await settle(() => ui.chat.setOnline(false));
    expect(typing(ui)).toBeNull();
    await settle(() => ui.chat.setOnline(true));
    expect(typing(ui)).not.toBeNull();
    await settle(() => ui.chat.fail({ code: 'bad_request', message: 'POST /v1/classify could not reach the relay', retryable: true }));
    expect(typing(ui)).toBeNull();
    expect(ui.text()).not.toContain('/v1/classify');
  });

  it('says when a tool it waits for cannot be reached, without dots, and keeps the conversation open', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await click(ui.named('Open chat'));
    await settle(() => ui.chat.update({ busy: true, stalled: { kind: 'tool', name: 'CreateBooking', since: 0 } }));
    expect(ui.root.querySelector('.banner[role="status"]')?.textContent).toBe('Our system is not answering yet. We keep trying, and your conversation is saved.');
    expect(typing(ui)).toBeNull();
    expect(box(ui).disabled).toBe(false);
    await settle(() => ui.chat.update({ busy: false, stalled: null }));
    expect(ui.root.querySelector('.banner')).toBeNull();
  });

  it('reads a visitor message and its status as separate phrases', async () => {
    const ui = await setup();
    await click(ui.named('Open chat'));
    await send(ui, 'hello');
    expect(ui.all('.message.user')[0]?.textContent).toBe('You: hello. Sent');
  });
});

describe('closed but alive', () => {
  it('counts bot messages that arrive while closed on the launcher and in its name, and clears them when opened', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    expect(ui.maybeNamed('Open chat')).not.toBeNull();
    await settle(() => ui.chat.reply('Are you still there?'));
    const launcher = ui.named('Open chat, 1 new message');
    expect(launcher.querySelector('.badge')?.textContent).toBe('1');
    await settle(() => ui.chat.reply('Just tell me a day and time.'));
    expect(ui.named('Open chat, 2 new messages').querySelector('.badge')?.textContent).toBe('2');
    await click(ui.named('Open chat, 2 new messages'));
    await click(ui.named('Close chat'));
    expect(ui.named('Open chat').querySelector('.badge')).toBeNull();
  });

  it('remembers the open state and what was seen across a reload of the tab', async () => {
    const first = await setup({ greeting: 'Welcome!' });
    await click(first.named('Open chat'));
    first.widget.unmount();
    const second = await setup({ greeting: 'Welcome!' });
    expect(second.widget.isOpen).toBe(true);
    expect(second.maybeNamed('Message')).not.toBeNull();
    await click(second.named('Close chat'));
    second.widget.unmount();
    const third = await setup({ greeting: 'Welcome!' });
    expect(third.widget.isOpen).toBe(false);
  });

  it('shows the latest unread message in an optional preview bubble that opens the chat or is dismissed', async () => {
    const ui = await setup({ greeting: 'Welcome!' }, { preview: true });
    await settle(() => ui.chat.reply('Your table is held until 8pm.'));
    const bubble = () => ui.root.querySelector<HTMLElement>('.preview');
    await until(() => bubble() !== null && !bubble()!.hidden);
    expect(ui.root.querySelector('.preview-text')?.textContent).toBe('Your table is held until 8pm.');
    await click(ui.named('Dismiss'));
    expect(bubble()?.hidden).toBe(true);
    await settle(() => ui.chat.reply('See you soon.'));
    expect(bubble()?.hidden).toBe(false);
    expect(ui.root.querySelector('.preview-text')?.textContent).toBe('See you soon.');
    await click(ui.root.querySelector<HTMLElement>('.preview-text')!);
    expect(ui.widget.isOpen).toBe(true);
    expect(bubble()?.hidden).toBe(true);
  });
});

describe('quick replies', () => {
  it('are drawn in the log right under their question, in a named group, and leave when answered', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await click(ui.named('Open chat'));
    await send(ui, 'book');
    await settle(() => ui.chat.reply('How many people?', ['2', '4']));
    const log = ui.root.querySelector('[role="log"]')!;
    const group = log.querySelector('[role="group"][aria-label="Quick replies"]')!;
    expect(group.previousElementSibling?.textContent).toContain('How many people?');
    await click(group.querySelectorAll('button')[1] as HTMLElement);
    expect(ui.chat.calls.at(-1)).toEqual({ method: 'choose', argument: { label: '4', value: '4' } });
    expect(log.querySelector('[role="group"]')).toBeNull();
  });
});

describe('safe controls', () => {
  it('enables Send only with text, sends on Enter and keeps Shift+Enter for a new line', async () => {
    const ui = await setup();
    await click(ui.named('Open chat'));
    const sendButton = ui.named<HTMLButtonElement>('Send');
    expect(sendButton.disabled).toBe(true);
    await type(box(ui) as unknown as HTMLInputElement, 'two\nlines');
    expect(sendButton.disabled).toBe(false);
    await settle(() => {
      box(ui).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    });
    expect(ui.chat.calls).toEqual([]);
    await key(box(ui), 'Enter');
    expect(ui.chat.calls).toEqual([{ method: 'send', argument: 'two\nlines' }]);
    expect(box(ui).value).toBe('');
  });

  it('shows a counter near the length limit and refuses to send over it, instead of cutting the text', async () => {
    const ui = await setup();
    await click(ui.named('Open chat'));
    await type(box(ui) as unknown as HTMLInputElement, 'a'.repeat(1700));
    expect(ui.root.querySelector('.counter')).toBeNull();
    await type(box(ui) as unknown as HTMLInputElement, 'a'.repeat(1990));
    expect(ui.root.querySelector('.counter')?.textContent).toBe('10 characters left');
    expect(box(ui).getAttribute('aria-describedby')).toBe('statechat-counter');
    await type(box(ui) as unknown as HTMLInputElement, 'a'.repeat(2003));
    expect(ui.root.querySelector('.counter')?.textContent).toBe('3 characters too many');
    expect(ui.named<HTMLButtonElement>('Send').disabled).toBe(true);
    expect(box(ui).value).toHaveLength(2003);
  });

  it('keeps references and phone numbers on one line', async () => {
    const ui = await setup();
    await click(ui.named('Open chat'));
    await settle(() => ui.chat.reply('Your reference is BK-2026-0042; call +44 20 7946 0958 or 555-1234.'));
    expect(ui.all('.bot .nobreak').map((token) => token.textContent)).toEqual(['BK-2026-0042', '+44 20 7946 0958', '555-1234']);
  });
});

describe('cards', () => {
  const confirmation = (url = 'https://example.com/bookings/CS-2026-0042'): ChatMessage =>
    bot('c1', "You're booked!\nDate: Saturday, December 5\nReference: CS-2026-0042", {
      card: {
        title: "You're booked!",
        fields: [
          { label: 'Date', value: 'Saturday, December 5' },
          { label: 'Reference', value: 'CS-2026-0042', copy: true },
        ],
        buttons: [{ label: 'Manage my booking', url }],
      },
    });

  /** The page's clipboard, as the widget sees it, until the test ends. */
  function stubClipboard(writeText: (text: string) => Promise<void>): void {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    onTestFinished(() => {
      delete (navigator as { clipboard?: unknown }).clipboard;
    });
  }

  const copyButton = (ui: Mounted) => ui.root.querySelector<HTMLButtonElement>('.card dd button')!;

  async function withCard(message = confirmation()): Promise<Mounted> {
    const ui = await setup({ greeting: 'Welcome!' });
    await click(ui.named('Open chat'));
    await settle(() => ui.chat.update({ messages: [...ui.chat.getState().messages, message] }));
    return ui;
  }

  it('shows a booking confirmation as a card in the log: a title, a description list of fields, named link buttons', async () => {
    const ui = await withCard();
    const card = ui.root.querySelector('[role="log"] .message.bot .card');
    expect(card).not.toBeNull();
    expect(card?.closest('.message')?.querySelector('.sr-only')?.textContent).toBe('Fake Bistro: ');
    expect(card?.querySelector('.card-title')?.textContent).toBe("You're booked!");
    const terms = [...(card?.querySelectorAll('dl > div') ?? [])].map((pair) => [pair.querySelector('dt')?.textContent, pair.querySelector('dd .nobreak')?.textContent]);
    expect(terms).toEqual([
      ['Date', undefined],
      ['Reference', 'CS-2026-0042'],
    ]);
    expect(card?.querySelector('dl > div:first-child dd')?.textContent).toBe('Saturday, December 5');
    const link = card?.querySelector<HTMLAnchorElement>('.card-actions a');
    expect(link?.getAttribute('href')).toBe('https://example.com/bookings/CS-2026-0042');
    expect(link?.getAttribute('target')).toBe('_blank');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.textContent).toBe('Manage my booking (opens in a new tab)');
  });

  it('copies the reference with a named button that says and announces it, then returns to Copy', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const writeText = vi.fn(async () => undefined);
      stubClipboard(writeText);
      const ui = await withCard();
      const copy = copyButton(ui);
      expect(copy.textContent).toBe('Copy Reference');
      await click(copy);
      await settle(() => undefined);
      expect(writeText).toHaveBeenCalledWith('CS-2026-0042');
      expect(copy.textContent).toBe('Copied Reference');
      expect(ui.root.querySelector('.card [role="status"]')?.textContent).toBe('Copied');
      await settle(() => vi.advanceTimersByTime(2000));
      expect(copy.textContent).toBe('Copy Reference');
      expect(ui.root.querySelector('.card [role="status"]')?.textContent).toBe('');
    } finally {
      vi.useRealTimers();
    }
  });

  it('selects the reference and says how to copy it when the clipboard refuses', async () => {
    stubClipboard(async () => Promise.reject(new Error('denied')));
    const ui = await withCard();
    await click(copyButton(ui));
    await until(() => ui.root.querySelector('.copy-note') !== null);
    expect(ui.root.querySelector('.copy-note')?.textContent).toBe('Could not copy: the text is selected, copy it with your keyboard.');
    expect(document.getSelection()?.toString()).toBe('CS-2026-0042');
  });

  it('draws no link for a stored card whose URL is not a safe absolute link', async () => {
    const ui = await withCard(confirmation('javascript:alert(1)'));
    expect(ui.root.querySelector('.card a')).toBeNull();
    expect(ui.root.querySelector('.card-actions')).toBeNull();
  });
});

describe('on a phone', () => {
  function smallScreen(): void {
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: true, media: query, addEventListener() {}, removeEventListener() {} }));
  }

  it('is a modal dialog that keeps focus inside, locks the page scroll, and does not pop the keyboard on open', async () => {
    smallScreen();
    const ui = await setup({ greeting: 'Welcome!' });
    await click(ui.named('Open chat'));
    const dialog = ui.root.querySelector<HTMLElement>('[role="dialog"]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(ui.root.activeElement).toBe(dialog);
    expect(document.documentElement.style.overflow).toBe('hidden');

    await type(box(ui) as unknown as HTMLInputElement, 'hi');
    const sendButton = ui.named('Send');
    sendButton.focus();
    await key(sendButton, 'Tab');
    expect(ui.root.activeElement).toBe(ui.named('Start over'));
    await settle(() => {
      ui.named('Start over').dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', shiftKey: true, bubbles: true, composed: true }));
    });
    expect(ui.root.activeElement).toBe(sendButton);

    await click(ui.named('Close chat'));
    expect(document.documentElement.style.overflow).toBe('');
  });

  it('is not modal on a desktop, where the message box takes focus', async () => {
    const ui = await setup();
    await click(ui.named('Open chat'));
    expect(ui.root.querySelector('[role="dialog"]')?.hasAttribute('aria-modal')).toBe(false);
    expect(ui.root.activeElement).toBe(box(ui));
  });
});

describe('identity, time and pace', () => {
  it('shows the bot name, avatar and subtitle, and the time of each message', async () => {
    const ui = await setup({}, { bot: { name: 'Chloé', avatar: '/chloe.png', subtitle: 'Replies at once' }, timestamps: true, language: 'en-GB' });
    await click(ui.named('Open chat'));
    await settle(() => ui.chat.update({ messages: [bot('b1', 'Bonjour!')] }));
    expect(ui.root.querySelector('h2')?.textContent).toBe('Chloé');
    expect(ui.root.querySelector('.subtitle')?.textContent).toBe('Replies at once');
    expect(ui.root.querySelector('img.avatar')?.getAttribute('alt')).toBe('');
    expect(ui.root.querySelector('.bot .sr-only')?.textContent).toBe('Chloé: ');
    expect(ui.root.querySelector('.bot time')?.getAttribute('datetime')).toBe('2026-11-30T18:05:00.000Z');
  });

  it('reveals several bot messages one after another, never delaying the first', async () => {
    const ui = await setup({ greeting: 'Welcome!' });
    await click(ui.named('Open chat'));
    const before = ui.chat.getState().messages;
    await settle(() => ui.chat.update({ messages: [...before, bot('b2', 'Good news.'), bot('b3', 'We have a table.'), bot('b4', 'What name?')] }));
    expect(ui.all('.message.bot').map((message) => message.textContent?.replace(/^.*?: /, ''))).toEqual(['Welcome!', 'Good news.']);
    expect(typing(ui)).not.toBeNull();
    await until(() => ui.all('.message.bot').length === 4);
    expect(typing(ui)).toBeNull();
  });

  it('shows a conversation restored by a reload at once, the visitor\'s latest message included, without replaying it', async () => {
    // Found by the chaos run in Chromium (issue #16): the history arrived as one burst when the chat finished
    // loading and was revealed bubble by bubble, hiding the visitor's last messages for seconds after a reload.
    const ui = await setup({ ready: false });
    await click(ui.named('Open chat'));
    const history: ChatMessage[] = [
      bot('b1', 'Welcome!'),
      { id: 'u1', role: 'user', text: 'AB-123456', at: 1, status: 'answered' },
      bot('b2', 'Order AB-123456 is shipped.'),
      bot('b3', 'Anything else?'),
      bot('b4', 'I can tell you where an order is.'),
      { id: 'u2', role: 'user', text: 'ana@example.org', at: 2, status: 'answered' },
      bot('b5', "What's your order number?"),
      bot('b6', 'It looks like AB-123456.'),
    ];
    await settle(() => ui.chat.update({ ready: true, messages: history }));
    expect(ui.all('.message.user').map((message) => message.getAttribute('data-id'))).toEqual(['u1', 'u2']);
    expect(ui.all('.message.bot')).toHaveLength(6);
    expect(typing(ui)).toBeNull();
    // What arrives afterwards is paced again.
    await settle(() => ui.chat.update({ messages: [...history, bot('b7', 'Good news.'), bot('b8', 'We found it.')] }));
    expect(ui.all('.message.bot')).toHaveLength(7);
    await until(() => ui.all('.message.bot').length === 8);
  });
});

describe('languages', () => {
  it('uses the built-in French strings for lang="fr" on the page, with the page strings on top', async () => {
    document.documentElement.lang = 'fr';
    const ui = await setup({ greeting: 'Bienvenue' }, { strings: { send: 'Go' } });
    expect(ui.maybeNamed('Ouvrir le chat')).not.toBeNull();
    await click(ui.named('Ouvrir le chat'));
    await until(() => ui.maybeNamed('Fermer le chat') !== null);
    expect(ui.maybeNamed('Go')).not.toBeNull();
    expect(ui.root.querySelector('.root')?.getAttribute('lang')).toBe('fr');
  });

  it('prefers the widget option, then the page, then the browser', async () => {
    vi.stubGlobal('navigator', { ...navigator, languages: ['de-AT', 'en'] });
    const ui = await setup();
    await until(() => ui.maybeNamed('Chat öffnen') !== null);
    ui.widget.unmount();
    document.documentElement.lang = 'es';
    const spanish = await setup({}, { language: 'es-MX' });
    await until(() => spanish.maybeNamed('Abrir chat') !== null);
    expect(spanish.root.querySelector('.root')?.getAttribute('lang')).toBe('es-MX');
  });

  it('keeps right-to-left for Arabic', async () => {
    const ui = await setup({}, { language: 'ar' });
    expect(ui.root.querySelector('.root')?.getAttribute('dir')).toBe('rtl');
  });
});
