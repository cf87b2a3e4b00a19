// Per-minute request metrics of a Worker, summed where its request lines are made (the runner's LogBuffer,
// the in-process LogBuffer, the Cloudflare Tail Worker) from every request line, recorded or sampled out,
// and added to the stored minute in D1 (store.ts). Pure: the runner and the Tail Worker load it too.
import type { NewLogEntry, RequestSummary } from './entries';

export const MINUTE_MS = 60_000;

/** Upper bounds (ms) of the wall-time buckets; the last catches everything slower. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, Infinity];

/** One Worker's requests in one minute. */
export interface MinuteSums {
	/** Start of the minute, ms since the epoch. */
	minute: number;
	requests: number;
	/** 5xx responses, exceptions, exceeded limits, timeouts. */
	errors: number;
	cpuMs: number;
	/** Requests per wall-time bucket, in LATENCY_BUCKETS_MS's order. */
	wallBuckets: number[];
}

export const isFailure = (request: RequestSummary) => request.outcome !== 'ok' || request.status === null || request.status >= 500;

/** The median / 99th percentile wall time of a minute: the upper bound of its bucket (null: beyond 30 s). */
export function percentile(buckets: readonly number[], total: number, fraction: number): number | null {
	if (total === 0) return 0;
	const wanted = Math.ceil(total * fraction);
	let seen = 0;
	for (let i = 0; i < buckets.length; i++) {
		seen += buckets[i] ?? 0;
		if (seen >= wanted) return Number.isFinite(LATENCY_BUCKETS_MS[i]) ? LATENCY_BUCKETS_MS[i] : null;
	}
	return null;
}

/**
 * Adds a request that started at `time` to `minutes` (minute start -> sums), or takes it away again with
 * `sign` -1 (the app does, for the runtime's late line of a request it already recorded as a timeout).
 */
export function countRequest(minutes: Map<number, MinuteSums>, time: number, request: RequestSummary, sign: 1 | -1 = 1): void {
	const minute = Math.floor(time / MINUTE_MS) * MINUTE_MS;
	let sums = minutes.get(minute);
	if (!sums) minutes.set(minute, (sums = { minute, requests: 0, errors: 0, cpuMs: 0, wallBuckets: LATENCY_BUCKETS_MS.map(() => 0) }));
	sums.requests += sign;
	sums.errors += isFailure(request) ? sign : 0;
	sums.cpuMs += sign * request.cpuMs;
	sums.wallBuckets[LATENCY_BUCKETS_MS.findIndex((bound) => request.wallMs <= bound)] += sign;
}

/** The metrics of `entries`' request lines, one item per minute they fall in. */
export function metricsOf(entries: readonly NewLogEntry[]): MinuteSums[] {
	const minutes = new Map<number, MinuteSums>();
	for (const { time, request } of entries) if (request) countRequest(minutes, time, request);
	return [...minutes.values()];
}

/** Whether `value` is a MinuteSums as a runner sends it (received over HTTP, so checked field by field). */
export function isMinuteSums(value: unknown): value is MinuteSums {
	const sums = value as MinuteSums;
	const count = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
	return (
		typeof sums === 'object' &&
		sums !== null &&
		count(sums.minute) &&
		sums.minute % MINUTE_MS === 0 &&
		count(sums.requests) &&
		count(sums.errors) &&
		sums.errors <= sums.requests &&
		typeof sums.cpuMs === 'number' &&
		sums.cpuMs >= 0 &&
		Array.isArray(sums.wallBuckets) &&
		sums.wallBuckets.length === LATENCY_BUCKETS_MS.length &&
		sums.wallBuckets.every(count)
	);
}
