/**
 * Compiled transforms by key, least recently used first out, bounded by
 * count and by the bytes they hold (a compiled transform keeps a whole
 * engine runtime: tens of KiB when idle, more if it keeps state).
 */

export interface Disposable {
  dispose(): void;
}

interface Entry<V> {
  value: V;
  bytes: number;
}

export class CompiledCache<V extends Disposable> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, Entry<V>>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` (disposing what `key` held), then evicts down to the bounds. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    this.evict(key);
  }

  /** A value's size changed (it was measured again). */
  resize(key: string, bytes: number): void {
    const entry = this.entries.get(key);
    if (!entry || entry.bytes === bytes) return;
    this.total += bytes - entry.bytes;
    entry.bytes = bytes;
    this.evict(key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
    entry.value.dispose();
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  /** Oldest first, sparing `keep` (the one in use): it stays even if it alone is over the byte bound. */
  private evict(keep: string): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxBytes) return;
      if (key !== keep) this.delete(key);
    }
  }
}
