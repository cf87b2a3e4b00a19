// Log entries on their way to the store: the Tail Worker calls of LOG_FLUSH_MS go in one batch (one D1
// batch in the app) rather than one each. The runners send theirs to the app; the app's own in-process
// Tail Worker (WFP_ISOLATION=off) records its batch directly.
import type { NewLogEntry } from './entries';
import { MAX_ENTRIES_PER_POST } from './receive';

/** How long entries wait in a LogBuffer for others to join them, and how many one holds at most. */
export const LOG_FLUSH_MS = 500;
export const LOG_BUFFER_MAX_ENTRIES = MAX_ENTRIES_PER_POST;

/**
 * Log entries per Worker script id, waiting for their batch. Holds at most `limit` entries; beyond that the oldest
 * are dropped and counted, and the count goes out as one line of the Worker that overflowed it.
 */
export class LogBuffer {
	#entries = new Map<string, NewLogEntry[]>();
	#size = 0;
	#dropped = new Map<string, number>();
	#flushing = false;
	constructor(readonly limit: number) {}

	/** Adds the entries; true when the caller is to flush the buffer (no flush is pending yet). */
	add(scriptId: string, entries: NewLogEntry[]): boolean {
		const list = this.#entries.get(scriptId) ?? [];
		this.#entries.set(scriptId, list);
		for (const entry of entries) {
			if (this.#size >= this.limit) {
				this.#dropped.set(scriptId, (this.#dropped.get(scriptId) ?? 0) + 1);
				continue;
			}
			list.push(entry);
			this.#size++;
		}
		if (this.#flushing) return false;
		return (this.#flushing = true);
	}

	/** Everything held, as script id -> entries, and an empty buffer. */
	take(): Record<string, NewLogEntry[]> {
		for (const [scriptId, count] of this.#dropped)
			(this.#entries.get(scriptId) ?? []).push({
				time: Date.now(),
				requestId: null,
				kind: 'log',
				level: 'warn',
				message: `${count} log entries dropped: the Worker logged faster than the platform records`
			});
		const batch = Object.fromEntries([...this.#entries].filter(([, list]) => list.length > 0));
		this.#entries = new Map();
		this.#dropped = new Map();
		this.#size = 0;
		this.#flushing = false;
		return batch;
	}
}

