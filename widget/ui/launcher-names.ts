/** The launcher's name in the built-in languages: the script tag draws it before the rest of the UI (and its strings) loads. */
export const OPEN_CHAT: Readonly<Record<string, string>> = { en: 'Open chat', fr: 'Ouvrir le chat', de: 'Chat öffnen', es: 'Abrir chat' };

/** The launcher's name for a BCP 47 language tag (English when not built in). */
export function openChatName(language: string | undefined): string {
  return OPEN_CHAT[(language ?? '').toLowerCase().split(/[-_]/)[0] ?? ''] ?? (OPEN_CHAT.en as string);
}
