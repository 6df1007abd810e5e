/** In-process listeners per handoff id (and `'*'` for all), shared by both stores. */
export class NotifyHub {
  readonly #listeners = new Map<string, Set<(id: string) => void>>();

  subscribe(id: string, listener: (id: string) => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(id);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#listeners.delete(id);
    };
  }

  notify(id: string): void {
    for (const key of [id, '*']) {
      for (const listener of [...(this.#listeners.get(key) ?? [])]) {
        // A listener's failure is its own; the others still hear.
        try {
          listener(id);
        } catch {
          // Listeners are the relay's own stream pumps, which catch their errors.
        }
      }
    }
  }

  get size(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }
}
