/**
 * Remembered answers of a pure, costly function over few distinct keys (configured numbers,
 * carrier addresses). When `limit` distinct keys are held it starts afresh, so a flood of
 * distinct keys (e.g. spoofed source addresses) cannot grow it further. `null` answers are kept too.
 */
export class BoundedMemo<K, V> {
  private readonly answers = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, compute: (key: K) => V): V {
    if (this.answers.has(key)) return this.answers.get(key) as V;
    const value = compute(key);
    if (this.answers.size >= this.limit) this.answers.clear();
    this.answers.set(key, value);
    return value;
  }
}
