/**
 * The chat's public event listeners (`chat.on(name, callback)`, `'*'` for
 * all). A throwing listener is reported and never stops the others or the
 * conversation.
 */
import type { JsonObject } from '../../flows/types.ts';

type Listener = (data: JsonObject) => void;

function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  report?.(error);
}

/** Calls `listener`, reporting (not throwing) what it throws. */
export function callSafely<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    reportListenerError(error);
  }
}

export class PublicEvents {
  readonly #listeners = new Map<string, Set<Listener>>();

  on(name: string, callback: Listener): () => void {
    let callbacks = this.#listeners.get(name);
    if (!callbacks) {
      callbacks = new Set();
      this.#listeners.set(name, callbacks);
    }
    callbacks.add(callback);
    return () => {
      callbacks.delete(callback);
    };
  }

  fire(name: string, data: JsonObject): void {
    for (const callback of [...(this.#listeners.get(name) ?? [])]) callSafely(callback, data);
    for (const callback of [...(this.#listeners.get('*') ?? [])]) callSafely(callback, { name, data });
  }

  clear(): void {
    this.#listeners.clear();
  }
}
