// @vitest-environment happy-dom
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '../../widget/mount.ts';
import { createLazyWidget, type LazyWidget, type WidgetApp } from '../../widget/ui/lazy-widget.ts';
import { readWidgetConfig, type WidgetConfig } from '../../widget/ui/widget-config.ts';
import { createFakeChat, type FakeChat } from './fake-chat.ts';

interface Harness {
  widget: LazyWidget;
  host: HTMLElement;
  chats: FakeChat[];
  loads: number;
  errors: unknown[];
  failNext: boolean;
}

let current: Harness | undefined;
afterEach(async () => {
  await current?.widget.destroy();
  current?.host.remove();
  current = undefined;
});

function setup(config: WidgetConfig = { flow: 'reservations' }): Harness {
  const host = document.createElement('statechat-root');
  document.body.append(host);
  const harness: Harness = { host, chats: [], loads: 0, errors: [], failNext: false } as unknown as Harness;
  const app: WidgetApp = {
    start(target, widgetConfig, hooks) {
      const chat = createFakeChat({ greeting: `Running ${widgetConfig.flow}` });
      harness.chats.push(chat);
      return mount({ chat, host: target, open: hooks.open, onOpenChange: hooks.onOpenChange });
    },
  };
  harness.widget = createLazyWidget(
    host,
    config,
    async () => {
      harness.loads += 1;
      if (harness.failNext) {
        harness.failNext = false;
        throw new Error('chunk failed to load');
      }
      return app;
    },
    (error) => harness.errors.push(error),
  );
  current = harness;
  return harness;
}

const launcherOf = (host: HTMLElement) => host.shadowRoot?.querySelector<HTMLButtonElement>('[aria-label="Open chat"]') ?? null;

describe('the launcher that loads the rest on demand', () => {
  it('draws an "Open chat" button with plain DOM and loads nothing until asked', () => {
    const { host, loads } = setup();
    const launcher = launcherOf(host);
    expect(launcher?.tagName).toBe('BUTTON');
    expect(launcher?.getAttribute('aria-expanded')).toBe('false');
    expect(host.shadowRoot?.adoptedStyleSheets).toHaveLength(1);
    expect(loads).toBe(0);
  });

  it('loads the app on click and opens the panel, adding the panel stylesheet to the launcher one', async () => {
    const harness = setup();
    await act(async () => {
      launcherOf(harness.host)?.click();
      await harness.widget.load();
    });
    expect(harness.loads).toBe(1);
    expect(harness.widget.isOpen).toBe(true);
    const root = harness.host.shadowRoot!;
    expect(root.querySelector('[aria-label="Message"]')).not.toBeNull();
    expect(root.querySelectorAll('.launcher')).toHaveLength(1);
    expect(root.adoptedStyleSheets).toHaveLength(2);
    expect(root.textContent).toContain('Running reservations');
  });

  it('queues send, emit and listeners until the chat exists', async () => {
    const harness = setup();
    const said: unknown[] = [];
    harness.widget.on('say', (data) => said.push(data));
    await act(async () => {
      await harness.widget.send('I want to make a reservation');
      harness.widget.emit('booking.requested', { source: 'button' });
      await harness.widget.load();
    });
    const chat = harness.chats[0]!;
    expect(chat.calls).toEqual([
      { method: 'send', argument: 'I want to make a reservation' },
      { method: 'emit', argument: { name: 'booking.requested', data: { source: 'button' } } },
    ]);
    await act(() => chat.reply('How many people?'));
    expect(said).toEqual([{ text: 'How many people?' }]);
    expect(harness.loads).toBe(1);
  });

  it('tries again on the next click when the app failed to load', async () => {
    const harness = setup();
    harness.failNext = true;
    await act(async () => {
      launcherOf(harness.host)?.click();
    });
    await act(async () => {});
    expect(harness.errors).toHaveLength(1);
    expect(launcherOf(harness.host)).not.toBeNull();
    await act(async () => {
      launcherOf(harness.host)?.click();
      await harness.widget.load();
    });
    expect(harness.loads).toBe(2);
    expect(harness.widget.isOpen).toBe(true);
  });

  it('opens at once with `open`, and follows the config for direction and position', async () => {
    const harness = setup({ flow: 'reservations', open: true, language: 'he', position: 'left' });
    const root = harness.host.shadowRoot!.querySelector<HTMLElement>('.root');
    expect(root?.dir).toBe('rtl');
    expect(root?.dataset.position).toBe('left');
    await act(async () => {
      await harness.widget.load();
    });
    expect(harness.widget.isOpen).toBe(true);
  });
});

describe('readWidgetConfig', () => {
  it('reads attributes and ignores values it does not know', () => {
    const attributes: Record<string, string> = {
      relay: ' https://relay.example ',
      flow: 'reservations',
      title: 'Book',
      lang: 'fr',
      position: 'middle',
      'color-scheme': 'dark',
      open: '',
      nlu: 'local',
      storage: 'cloud',
    };
    expect(readWidgetConfig((name) => attributes[name] ?? null)).toEqual({
      relay: 'https://relay.example',
      flow: 'reservations',
      title: 'Book',
      language: 'fr',
      colorScheme: 'dark',
      open: true,
      nlu: 'local',
    });
    expect(readWidgetConfig(() => null)).toBeNull();
  });

  it('takes UI text as JSON, keeping only text values (the UI drops keys it does not know)', () => {
    const attributes: Record<string, string> = {
      flow: 'reservations',
      strings: JSON.stringify({ openChat: 'Ouvrir le chat', send: 'Envoyer', bogus: 'x', retry: 3, __proto__: 'no' }),
    };
    expect(readWidgetConfig((name) => attributes[name] ?? null)?.strings).toEqual({ openChat: 'Ouvrir le chat', send: 'Envoyer', bogus: 'x' });
    expect(readWidgetConfig((name) => (name === 'flow' ? 'reservations' : name === 'strings' ? '{not json' : null))).toEqual({ flow: 'reservations' });
  });

  it('names the launcher in the page language', () => {
    const { host } = setup({ flow: 'reservations', strings: { openChat: 'Ouvrir le chat' } });
    expect(host.shadowRoot?.querySelector('[aria-label="Ouvrir le chat"]')?.tagName).toBe('BUTTON');
  });
});
