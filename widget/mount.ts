/**
 * `mount()`: the chat UI in a Shadow DOM on the page, over a `Chat`.
 *
 * @example
 * import { createChat, mount } from 'statechat/widget';
 * const chat = createChat({ relay: 'https://example.com/statechat', flow: 'reservations' });
 * const widget = mount({ chat, title: 'Book a table', theme: { accent: '#0b6e4f' } });
 * widget.open();
 */
import { openChatName } from './ui/launcher-names.ts';
import { mountWith, type MountedWidget, type MountOptions } from './ui/mount-widget.ts';
import { chooseLanguage, directionOf } from './ui/strings.ts';
import { adoptLauncherStyles, adoptSheet } from './ui/styles.ts';
import { readView } from './ui/view-memory.ts';

export type { MountedWidget, MountOptions, WidgetTheme } from './ui/mount-widget.ts';

export function mount(options: MountOptions): MountedWidget {
  const language = chooseLanguage(options.language, document.documentElement.lang || undefined, typeof navigator === 'undefined' ? [] : navigator.languages);
  const resolved = { language, dir: options.dir ?? directionOf(language), openChat: openChatName(language) };
  const adopt = (root: ShadowRoot, name: string, css: string) => {
    adoptLauncherStyles(root);
    adoptSheet(root, name, css);
  };
  return mountWith(options, adopt, resolved, readView(options.namespace ?? 'statechat'));
}
