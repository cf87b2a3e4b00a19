// Who may read a Worker's logs and metrics: whoever may see the Worker (its owner, or the operator,
// workers/access.ts); anyone else gets the same NOT_FOUND as for a Worker that does not exist.
import { InputError, NotFoundError } from '../errors';
import type { Principal } from '../principal';
import type { WorkerRegistry } from '../registry';
import { mayAccess } from '../workers/access';
import type { LogEntry, LogLevel } from './entries';
import { LIVE_TAIL_POLL_MS, type LiveTailHub } from './live';
import type { LogQuery, LogStore, MinuteMetrics } from './store';
import { workerNameProblem } from '$lib/worker-name';

/** How far back `workers.metrics` looks by default, and at most. */
export const METRICS_DEFAULT_SPAN_MS = 60 * 60 * 1000;
export const METRICS_MAX_SPAN_MS = 24 * 60 * 60 * 1000;

export interface LogService {
	/** The Worker's most recent entries, newest first, with the cursor to ask for newer ones (`since`). */
	logs(caller: Principal, name: string, query: LogQuery): Promise<{ entries: LogEntry[]; cursor: number }>;
	metrics(caller: Principal, name: string, range: { from?: number; to?: number }): Promise<{ from: number; to: number; minutes: MinuteMetrics[] }>;
	/** Requests per minute over the last hour (60 numbers, oldest first) of each named Worker the caller may see. */
	requestRates(caller: Principal, names: readonly string[]): Promise<Record<string, number[]>>;
	/**
	 * The Worker's new entries as they are stored, oldest first, after the entry `after` (by default its
	 * newest so far), until `signal` aborts. The caller's access and the stream bounds are checked before the
	 * first entry.
	 */
	tail(caller: Principal, name: string, options: { after?: number; level?: LogLevel; signal?: AbortSignal }): Promise<AsyncGenerator<LogEntry>>;
}

/** The most entries one read of a live tail returns (a flood's newer entries come on the next read). */
const TAIL_READ_LIMIT = 500;

/** Who a live tail is counted against: the customer, or the operator. */
const tailCaller = (caller: Principal) => (caller.kind === 'customer' ? `customer:${caller.customerId}` : caller.kind);

/** How many Workers one requestRates call may name (a list page at most). */
export const REQUEST_RATES_MAX_NAMES = 100;

export function createLogService(deps: { registry: WorkerRegistry; store: LogStore; live: LiveTailHub }): LogService {
	const { registry, store, live } = deps;

	async function scriptIdOf(caller: Principal, name: string): Promise<string> {
		const problem = workerNameProblem(name);
		if (problem) throw new InputError('name', problem);
		const record = await registry.get(name);
		if (!record || !mayAccess(caller, record)) throw new NotFoundError(`no Worker is named "${name}"`);
		return record.scriptId;
	}

	return {
		async logs(caller, name, query) {
			const entries = await store.read(await scriptIdOf(caller, name), query);
			return { entries, cursor: entries[0]?.id ?? query.since ?? 0 };
		},
		async metrics(caller, name, { from, to }) {
			const end = to ?? Date.now();
			const start = from ?? end - METRICS_DEFAULT_SPAN_MS;
			if (start > end) throw new InputError('from', 'from must be before to');
			if (end - start > METRICS_MAX_SPAN_MS) throw new InputError('from', 'from and to may be at most 24 hours apart');
			return { from: start, to: end, minutes: await store.metrics(await scriptIdOf(caller, name), start, end) };
		},
		async requestRates(caller, names) {
			const records = await Promise.all([...new Set(names)].map((name) => (workerNameProblem(name) ? null : registry.get(name))));
			const visible = new Map<string, string>();
			for (const record of records) if (record && mayAccess(caller, record)) visible.set(record.scriptId, record.name);
			const counts = await store.requestCounts([...visible.keys()], 60);
			return Object.fromEntries([...counts].map(([scriptId, series]) => [visible.get(scriptId)!, series]));
		},
		async tail(caller, name, { after, level, signal }) {
			const scriptId = await scriptIdOf(caller, name);
			const stream = live.open(scriptId, tailCaller(caller));
			let cursor: number;
			try {
				cursor = after ?? (await store.newestId(scriptId));
			} catch (error) {
				stream.close();
				throw error;
			}
			return (async function* () {
				try {
					while (!signal?.aborted) {
						const entries = await store.read(scriptId, { since: cursor, level, limit: TAIL_READ_LIMIT });
						for (const entry of entries.reverse()) {
							cursor = entry.id;
							yield entry;
						}
						if (entries.length < TAIL_READ_LIMIT) await stream.wait(LIVE_TAIL_POLL_MS, signal);
					}
				} finally {
					stream.close();
				}
			})();
		}
	};
}
