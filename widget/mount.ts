/**
 * `mount()`: the chat UI in a Shadow DOM on the page, over a `Chat`.
 *
 * @example
 * import { createChat, mount } from 'statechat/widget';
 * const chat = createChat({ relay: 'https://example.com/statechat', flow: 'reservations' });
 * const widget = mount({ chat, title: 'Book a table', theme: { accent: '#0b6e4f' } });
 * widget.open();
 */
import { mountWith, type MountedWidget, type MountOptions } from './ui/mount-widget.ts';
import { adoptWidgetStyles } from './ui/panel-styles.ts';

export type { MountedWidget, MountOptions, WidgetTheme } from './ui/mount-widget.ts';

export function mount(options: MountOptions): MountedWidget {
  return mountWith(options, adoptWidgetStyles);
}
