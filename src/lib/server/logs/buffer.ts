// Log entries and request metrics on their way to the store: the Tail Worker calls of LOG_FLUSH_MS go in
// one batch (one D1 batch in the app) rather than one each. The runners send theirs to the app; the app's
// own in-process Tail Worker (WFP_ISOLATION=off) records its batch directly.
//
// Every request counts in its Worker's metrics, but a Worker's invocations are recorded only up to its log
// rate (LOGS_MAX_PER_SECOND entries, averaged over LOG_RATE_WINDOW_S seconds). The rate is applied before
// the invocation runs (`runSampled`): beyond it, the Worker runs in an isolate without the Tail Worker, the
// dispatcher counts the request in its metrics itself, and one notice line per batch says how many requests
// were left out, as Cloudflare's own tail samples a busy Worker. A Worker flooding the platform with
// requests or log lines so costs it at most its rate in Tail Worker calls, JSON and stored rows.
import type { NewLogEntry, RequestSummary } from './entries';
import { countRequest, type MinuteSums } from './metrics';
import { MAX_ENTRIES_PER_POST } from './receive';

/** How long entries wait in a LogBuffer for others to join them, and how many one holds at most. */
export const LOG_FLUSH_MS = 500;
export const LOG_BUFFER_MAX_ENTRIES = MAX_ENTRIES_PER_POST;

/** Entries recorded per second per Worker by default, and the seconds that rate is averaged over (the burst). */
export const LOGS_PER_SECOND_DEFAULT = 100;
export const LOG_RATE_WINDOW_S = 10;

/** What a buffer sends: each Worker's (script id's) entries to store, and its per-minute request metrics. */
export interface LogBatch {
	entries: Record<string, NewLogEntry[]>;
	metrics: Record<string, MinuteSums[]>;
}

/** The entries per second of LOGS_MAX_PER_SECOND (a positive integer), or the default. */
export function logRateSetting(value: unknown): number {
	return typeof value === 'string' && /^[1-9]\d*$/.test(value) ? Number(value) : LOGS_PER_SECOND_DEFAULT;
}

/** One Worker's allowance: entries it may still record now, refilled at the rate up to the window's worth. */
interface Allowance {
	tokens: number;
	at: number;
	/** Invocations left out since the last batch. */
	sampledOut: number;
}

/**
 * Log entries and metrics per Worker script id, waiting for their batch. Holds at most `limit` entries (beyond
 * that the newest are dropped and counted), one metrics item per Worker and minute, and one allowance per
 * Worker that logged within the last LOG_RATE_WINDOW_S seconds; `take` empties it.
 */
export class LogBuffer {
	#entries = new Map<string, NewLogEntry[]>();
	#metrics = new Map<string, Map<number, MinuteSums>>();
	#size = 0;
	#dropped = new Map<string, number>();
	#allowances = new Map<string, Allowance>();
	#flushing = false;
	readonly #burst: number;

	constructor(
		readonly limit: number,
		/** Entries per second each Worker may record (LOGS_MAX_PER_SECOND). */
		readonly perSecond: number = LOGS_PER_SECOND_DEFAULT,
		/** The clock of its allowances and of runSampled's wall times. */
		readonly now: () => number = Date.now
	) {
		this.#burst = perSecond * LOG_RATE_WINDOW_S;
	}

	/**
	 * Whether the Worker's next invocation is to be recorded (see `runSampled`): its allowance is not spent.
	 * An admitted invocation spends one entry at once (its request line), so requests admitted together
	 * before their Tail Worker calls arrive cannot overdraw it by more than their lines beyond the first.
	 */
	admits(scriptId: string): boolean {
		const allowance = this.#allowance(scriptId);
		if (allowance.tokens <= 0) return false;
		allowance.tokens -= 1;
		return true;
	}

	/** Adds an admitted invocation's entries (they spend the rest of its allowance); true when the caller is to flush the buffer (no flush is pending yet). */
	add(scriptId: string, entries: NewLogEntry[]): boolean {
		const metrics = this.#metricsOf(scriptId);
		for (const { time, request } of entries) if (request) countRequest(metrics, time, request);
		this.#allowance(scriptId).tokens -= Math.max(0, entries.length - 1);
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
		return this.#flushNeeded();
	}

	/** Counts a request that ran unrecorded (over the rate) in the Worker's metrics and its notice; true as for `add`. */
	countUnrecorded(scriptId: string, time: number, request: RequestSummary): boolean {
		countRequest(this.#metricsOf(scriptId), time, request);
		this.#allowance(scriptId).sampledOut++;
		return this.#flushNeeded();
	}

	#flushNeeded(): boolean {
		if (this.#flushing) return false;
		return (this.#flushing = true);
	}

	/** The flush a caller was to schedule could not be: the next `add` or count asks again. */
	flushAbandoned(): void {
		this.#flushing = false;
	}

	/** How many Workers' allowances it holds: those that logged within the last LOG_RATE_WINDOW_S seconds. */
	get trackedWorkers(): number {
		return this.#allowances.size;
	}

	#metricsOf(scriptId: string): Map<number, MinuteSums> {
		let metrics = this.#metrics.get(scriptId);
		if (!metrics) this.#metrics.set(scriptId, (metrics = new Map()));
		return metrics;
	}

	/** The Worker's allowance, refilled for the time since it was last looked at (a big invocation may have overdrawn it). */
	#allowance(scriptId: string): Allowance {
		const now = this.now();
		let allowance = this.#allowances.get(scriptId);
		if (!allowance) this.#allowances.set(scriptId, (allowance = { tokens: this.#burst, at: now, sampledOut: 0 }));
		allowance.tokens = Math.min(this.#burst, allowance.tokens + ((now - allowance.at) / 1000) * this.perSecond);
		allowance.at = now;
		return allowance;
	}

	/** Everything held, and an empty buffer (allowances of Workers that are back to a full one are forgotten). */
	take(): LogBatch {
		const now = this.now();
		const notice = (scriptId: string, message: string) =>
			(this.#entries.get(scriptId) ?? this.#entries.set(scriptId, []).get(scriptId)!).push({ time: now, requestId: null, kind: 'log', level: 'warn', message });
		for (const [scriptId, allowance] of this.#allowances) {
			if (allowance.sampledOut > 0)
				notice(
					scriptId,
					`the log lines of ${allowance.sampledOut} ${allowance.sampledOut === 1 ? 'request were' : 'requests were'} not recorded: the Worker logged more than ${this.perSecond} entries per second (LOGS_MAX_PER_SECOND); its metrics count every request`
				);
			allowance.sampledOut = 0;
			if (allowance.tokens + ((now - allowance.at) / 1000) * this.perSecond >= this.#burst) this.#allowances.delete(scriptId);
		}
		for (const [scriptId, count] of this.#dropped) notice(scriptId, `${count} log entries dropped: the Worker logged faster than the platform records`);
		const batch: LogBatch = {
			entries: Object.fromEntries([...this.#entries].filter(([, list]) => list.length > 0)),
			metrics: Object.fromEntries([...this.#metrics].filter(([, minutes]) => minutes.size > 0).map(([scriptId, minutes]) => [scriptId, [...minutes.values()]]))
		};
		this.#entries = new Map();
		this.#metrics = new Map();
		this.#dropped = new Map();
		this.#size = 0;
		this.#flushing = false;
		return batch;
	}
}

/**
 * Runs one invocation of the Worker `scriptId` through `run`: with its Tail Worker (`run(true)`) while its
 * log allowance admits it, else without (`run(false)`, another isolate of the same version), counting the
 * request in its metrics here: status, outcome (`exception` when the call throws) and the wall time to the
 * response. A request that takes `timeoutMs` or more is not counted: the platform has answered it with a
 * 504 and recorded it as a timeout itself. With no buffer (logs off) every invocation runs without.
 * `flushLater` is awaited when the count finds no flush of the buffer pending; if it fails, the next count asks again.
 */
export async function runSampled(
	logs: LogBuffer | null,
	scriptId: string,
	method: string,
	run: (withTails: boolean) => Promise<Response>,
	options: { flushLater: () => void | Promise<void>; timeoutMs: number }
): Promise<Response> {
	if (!logs) return run(false);
	if (logs.admits(scriptId)) return run(true);
	const started = logs.now();
	const count = async (status: number | null, outcome: string) => {
		const wallMs = logs.now() - started;
		if (wallMs >= options.timeoutMs) return;
		if (!logs.countUnrecorded(scriptId, started, { method, path: '', status, outcome, wallMs, cpuMs: 0 })) return;
		try {
			await options.flushLater();
		} catch (error) {
			logs.flushAbandoned();
			console.error('could not schedule the log flush:', error);
		}
	};
	let response: Response;
	try {
		response = await run(false);
	} catch (error) {
		await count(null, 'exception');
		throw error;
	}
	await count(response.status, 'ok');
	return response;
}
