export interface EmailMention {
  start: number;
  end: number;
  /** The local part as written (plus-addressing kept), the domain lower-cased. */
  value: string;
}

/** Emails in free text. The local part is case-sensitive by the RFC, so only the domain is lower-cased. */
export function findEmails(text: string): EmailMention[] {
  const mentions: EmailMention[] = [];
  for (const match of text.matchAll(/(?<![\w.+-])([\w.%+-]+)@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])/gi)) {
    const local = match[1] ?? '';
    const domain = (match[2] ?? '').toLowerCase();
    if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) continue;
    mentions.push({ start: match.index, end: match.index + match[0].length, value: `${local}@${domain}` });
  }
  return mentions;
}
