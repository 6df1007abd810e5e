/**
 * The demo site's script: the relay in the page (or a real one with
 * `?relay=`), the chat, the widget, the "Book a table" button and the debug
 * panel.
 *
 * Query parameters: `relay` (a relay URL instead of the in-page one),
 * `flow` (default `reservations`), `lang`, `scheme` (`light` | `dark`),
 * `storage` (`memory`), `nlu` (`local` | `relay` | `hybrid`), `open`,
 * `staff=off` (nobody can join a handoff; by default a scripted "Sam" does).
 *
 * The demo defaults to `nlu=relay`, so every message shows in the relay log
 * and can reach its mock LLM; the widget's own default is `hybrid` (the
 * local classifier first, which keeps a conversation moving offline).
 */
import { createChat, mount } from '../widget/index.ts';
import type { CreateChatOptions, NluMode } from '../widget/index.ts';
import { attachDebugPanel } from './debug-panel.ts';
import { startInPageRelay } from './in-page-relay.ts';

const params = new URLSearchParams(location.search);
const externalRelay = params.get('relay');
const relay = externalRelay ? null : await startInPageRelay({ staff: params.get('staff') !== 'off' });

const options: CreateChatOptions = { relay: externalRelay ?? relay?.url ?? '', flow: params.get('flow') ?? 'reservations' };
const nlu = params.get('nlu') ?? 'relay';
if (nlu === 'local' || nlu === 'relay' || nlu === 'hybrid') options.nlu = nlu satisfies NluMode;
if (params.get('storage') === 'memory') options.storage = 'memory';
const language = params.get('lang');
if (language) options.language = language;
const chat = createChat(options);

const scheme = params.get('scheme');
// The site's own words follow the visitor's language too (the widget's strings are built in; these are the demo's).
const subtitles: Record<string, string> = {
  en: 'Bookings, usually replies at once',
  fr: 'Réservations, répond en général tout de suite',
  de: 'Reservierungen, antwortet meist sofort',
  es: 'Reservas, suele responder al momento',
};
const pageLanguage = (language ?? document.documentElement.lang).toLowerCase().split('-')[0] ?? 'en';
const widget = mount({
  chat,
  title: 'Chez Statechat',
  bot: { name: 'Chez Statechat', subtitle: subtitles[pageLanguage] ?? subtitles.en, avatar: '/favicon.svg' },
  timestamps: true,
  preview: true,
  namespace: `demo:${options.flow as string}`,
  // Without `?open`, the panel comes back the way the visitor left it in this tab.
  ...(params.has('open') ? { open: true } : {}),
  ...(language ? { language } : {}),
  ...(scheme === 'light' || scheme === 'dark' ? { colorScheme: scheme } : {}),
});

document.getElementById('book')?.addEventListener('click', () => {
  widget.open();
  chat.emit('booking.requested');
});

const confirmation = document.getElementById('confirmation') as HTMLParagraphElement;
chat.on('booking.confirmed', (data) => {
  confirmation.textContent = `Booking confirmed: ${String(data.bookingId ?? '')}. See you soon!`;
  confirmation.hidden = false;
});

attachDebugPanel(chat, relay, externalRelay ? `${externalRelay} (real relay)` : 'in the page (MSW, mock LLM, demo tools)');

// The live flow diagram loads on its own (dagre included), after the chat: none of it is in the widget's bundle.
// It goes in the debug panel's slot for extra views, under the state and the filled slots.
const debugSections = document.getElementById('debug-sections');
if (debugSections) {
  void import('./flow-diagram.ts').then(({ attachFlowDiagram }) => attachFlowDiagram(chat, options.relay ?? '', debugSections));
}
