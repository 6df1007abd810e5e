/**
 * The request path as a log line may show it: the relay's own route words
 * and the ids it knows (flow ids, tool names) stay, anything else a client
 * typed into the URL (a phone number, a name, `../../etc/passwd`) becomes
 * `[OTHER]`. Masking by shape alone let `415-555-2671` through.
 */
export function pathForLog(path: string, known: ReadonlySet<string>): string {
  if (path.length > 2048) return '[OTHER]';
  const segments = path.split('/').map((segment, index) => {
    if (index === 0 && segment === '') return '';
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return '[OTHER]';
    }
    return ROUTE_WORDS.has(decoded) || known.has(decoded) ? decoded : '[OTHER]';
  });
  return segments.join('/') || '/';
}

const ROUTE_WORDS = new Set(['v1', 'flows', 'tools', 'classify', 'checkpoint', 'health']);
