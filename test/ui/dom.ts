/** Helpers for UI tests in happy-dom: mount over a fake chat and find things the way assistive technology names them. */
import { act } from 'preact/test-utils';
import { mount, type MountedWidget, type MountOptions } from '../../widget/mount.ts';
import { createFakeChat, type FakeChat, type FakeChatOptions } from './fake-chat.ts';

export interface Mounted {
  chat: FakeChat;
  widget: MountedWidget;
  root: ShadowRoot;
  /** An element by its accessible name (`aria-label`) and tag or role. */
  named<T extends HTMLElement = HTMLElement>(name: string): T;
  maybeNamed<T extends HTMLElement = HTMLElement>(name: string): T | null;
  all(selector: string): HTMLElement[];
  text(): string;
}

export async function mountFake(fake: FakeChatOptions = {}, options: Partial<MountOptions> = {}): Promise<Mounted> {
  const chat = createFakeChat(fake);
  let widget!: MountedWidget;
  await act(() => {
    widget = mount({ chat, ...options });
  });
  const root = widget.shadowRoot;
  const maybeNamed = <T extends HTMLElement>(name: string) => root.querySelector<T>(`[aria-label="${name}"]`);
  return {
    chat,
    widget,
    root,
    maybeNamed,
    named<T extends HTMLElement>(name: string) {
      const element = maybeNamed<T>(name);
      if (!element) throw new Error(`nothing named "${name}" in the widget`);
      return element;
    },
    all: (selector) => [...root.querySelectorAll<HTMLElement>(selector)],
    text: () => root.textContent ?? '',
  };
}

export async function click(element: HTMLElement): Promise<void> {
  await act(() => {
    element.click();
  });
}

export async function type(input: HTMLInputElement, text: string): Promise<void> {
  await act(() => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export async function submit(input: HTMLInputElement): Promise<void> {
  await act(() => {
    input.form?.requestSubmit();
  });
}

export async function key(element: HTMLElement, name: string): Promise<void> {
  await act(() => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true }));
  });
}

export async function settle(work: () => void): Promise<void> {
  await act(work);
}
