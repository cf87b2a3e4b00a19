// Load generation (autocannon, fixed connections and duration) and the statistics the report uses.
import autocannon from 'autocannon';

/**
 * Requests/s and latency of `url` (sent `headers`, if any) under `connections` concurrent keep-alive
 * connections for `seconds`.
 */
export async function load(url, { seconds, connections, headers }) {
	const result = await autocannon({ url, connections, duration: seconds, headers });
	const failed = result.errors + result.timeouts + result.non2xx;
	if (failed > 0) throw new Error(`${url}: ${failed} of ${result.requests.total} requests failed under load`);
	return {
		rps: result.requests.total / seconds,
		p50Ms: result.latency.p50,
		p99Ms: result.latency.p99,
		requests: result.requests.total
	};
}

/** The `p`th percentile (0-100) of `values`, nearest rank. */
export function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values) => percentile(values, 50);

/** p50/p99 (ms, rounded to 0.1) of a series of timings. */
export function summarize(timingsMs) {
	const round = (ms) => Math.round(ms * 10) / 10;
	return { p50Ms: round(percentile(timingsMs, 50)), p99Ms: round(percentile(timingsMs, 99)), samples: timingsMs.length };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at a time. */
export async function inParallel(count, concurrency, task) {
	let next = 0;
	const lane = async () => {
		while (next < count) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
