// Where the entries of user Workers' invocations go in the app: the store, then a wake-up of the Workers'
// live tails. It also records what the runtime cannot see: a request the platform gave up on after
// DISPATCH_TIMEOUT_MS (the 504) gets its request line at once, with outcome `timeout`, and the request line
// the runtime sends when that Worker finally finishes (saying "200 ok" to a client that got a 504) is left
// out, and taken out of the batch's metrics; its console lines and exceptions are kept. (A request run
// without the Tail Worker, its Worker being over its log rate, is not counted by the runner once it takes
// DISPATCH_TIMEOUT_MS: runSampled, buffer.ts.)
import type { LogBatch } from './buffer';
import type { NewLogEntry } from './entries';
import { countRequest, metricsOf, type MinuteSums } from './metrics';
import type { LiveTailHub } from './live';
import type { LogStore } from './store';

/** How many timed-out request ids are remembered (a request that takes longer than that many timeouts to finish keeps its own line). */
export const TIMED_OUT_REMEMBERED = 1000;

/** The ids of the most recent timed-out requests, at most `limit` (oldest forgotten first). */
class RecentRequestIds {
	readonly #ids = new Set<string>();
	constructor(readonly limit: number) {}

	add(id: string): void {
		this.#ids.add(id);
		if (this.#ids.size > this.limit) this.#ids.delete(this.#ids.values().next().value!);
	}

	/** Whether `id` is held; it is forgotten (a request has one line from the runtime). */
	take(id: string): boolean {
		return this.#ids.delete(id);
	}

	get size(): number {
		return this.#ids.size;
	}
}

export interface TimedOutRequest {
	requestId: string;
	method: string;
	path: string;
	/** When the request reached the platform (ms since the epoch) and how long the platform waited. */
	startedAt: number;
	waitedMs: number;
}

export class LogRecorder {
	readonly #timedOut = new RecentRequestIds(TIMED_OUT_REMEMBERED);
	constructor(
		readonly store: LogStore,
		readonly live: LiveTailHub
	) {}

	/** Stores a batch and wakes the live tails of the Workers with new entries. */
	async record(batch: LogBatch): Promise<void> {
		if (this.#timedOut.size > 0)
			for (const [scriptId, entries] of Object.entries(batch.entries))
				batch.entries[scriptId] = entries.filter((entry) => {
					const late = entry.kind === 'request' && entry.requestId !== null && this.#timedOut.take(entry.requestId);
					if (late) this.#uncount(batch, scriptId, entry);
					return !late;
				});
		await this.store.recordAll(batch);
		this.live.entriesStored(Object.keys(batch.entries));
	}

	/** Takes a request line out of the batch's metrics of its Worker. */
	#uncount(batch: LogBatch, scriptId: string, entry: NewLogEntry): void {
		const minutes = new Map<number, MinuteSums>((batch.metrics[scriptId] ?? []).map((sums) => [sums.minute, sums]));
		if (entry.request) countRequest(minutes, entry.time, entry.request, -1);
		batch.metrics[scriptId] = [...minutes.values()];
	}

	/** The request line of a request the platform stopped waiting for (its 504). */
	async recordTimeout(scriptId: string, request: TimedOutRequest): Promise<void> {
		if (!this.store.settings.enabled) return;
		const { requestId, method, path, startedAt, waitedMs } = request;
		const entry: NewLogEntry = {
			time: startedAt,
			requestId,
			kind: 'request',
			level: 'error',
			message: `${method} ${path} 504 timeout ${waitedMs} ms (the Worker did not answer within DISPATCH_TIMEOUT_MS)`,
			request: { method, path, status: 504, outcome: 'timeout', wallMs: waitedMs, cpuMs: 0 }
		};
		await this.record({ entries: { [scriptId]: [entry] }, metrics: { [scriptId]: metricsOf([entry]) } });
		this.#timedOut.add(requestId);
	}
}
