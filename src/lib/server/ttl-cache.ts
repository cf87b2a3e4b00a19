// A small in-isolate memo: at most `maxEntries` keys, the least recently used dropped first, each value
// trusted for `ttlMs`. The composition root owns each instance, so its size is visible in one place.
export class BoundedTtlCache<V> {
	readonly #entries = new Map<string, { value: V; expires: number }>();

	constructor(
		readonly maxEntries: number,
		readonly ttlMs: number
	) {}

	get size(): number {
		return this.#entries.size;
	}

	/** The value, or undefined when absent or older than the TTL. */
	get(key: string, now = Date.now()): V | undefined {
		const entry = this.#entries.get(key);
		if (!entry) return undefined;
		this.#entries.delete(key);
		if (entry.expires <= now) return undefined;
		this.#entries.set(key, entry); // most recently used last
		return entry.value;
	}

	set(key: string, value: V, now = Date.now()): void {
		this.#entries.delete(key);
		this.#entries.set(key, { value, expires: now + this.ttlMs });
		if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
	}

	delete(key: string): void {
		this.#entries.delete(key);
	}
}
