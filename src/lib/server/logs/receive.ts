// The app's end of the runners' log channel: POST RUNNER_LOGS_PATH with a LogBatch as JSON, each Worker's
// (script id's) new entries and request metrics (src/runner/worker.ts, LogTail and LogBuffer), already
// checked for the runner secret by the caller.
import type { LogBatch } from './buffer';
import { isLogLevel, MAX_MESSAGE_CHARS, type NewLogEntry } from './entries';
import { isMinuteSums } from './metrics';
import type { LogRecorder } from './recorder';

/**
 * Where the platform's Tail Worker (cloudflare backend, src/tail/worker.ts) posts user Workers' entries, in
 * the same JSON shape as the runners, with LOG_INGEST_SECRET in this header.
 */
export const LOG_INGEST_PATH = '/__platform/logs';
export const LOG_INGEST_SECRET_HEADER = 'x-wfp-log-secret';

/**
 * The most entries one POST may carry (the runner's LogBuffer holds at most this many), besides the two
 * notices a buffer may add per Worker (requests sampled out, entries dropped).
 */
export const MAX_ENTRIES_PER_POST = 5000;
const NOTICES_PER_WORKER = 2;
/** The most metrics items (Worker-minutes) one POST may carry: a runner's buffer holds one per Worker it served within LOG_FLUSH_MS. */
export const MAX_METRICS_PER_POST = 50_000;

const isEntry = (value: unknown): value is NewLogEntry => {
	const entry = value as NewLogEntry;
	return (
		typeof entry === 'object' &&
		entry !== null &&
		typeof entry.time === 'number' &&
		(entry.requestId === null || typeof entry.requestId === 'string') &&
		['log', 'exception', 'request'].includes(entry.kind) &&
		isLogLevel(entry.level) &&
		typeof entry.message === 'string' &&
		entry.message.length <= MAX_MESSAGE_CHARS + 100
	);
};

const listsOf = (value: unknown): unknown[][] | null => {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
	const lists = Object.values(value);
	return lists.every(Array.isArray) ? lists : null;
};

/** Hands a POST's batch to the recorder (the store, then the Workers' live tails). */
export async function receiveLogEntries(request: Request, recorder: LogRecorder | undefined): Promise<Response> {
	if (request.method !== 'POST') return new Response('POST only', { status: 405 });
	const batch = (await request.json().catch(() => null)) as Partial<LogBatch> | null;
	const entries = listsOf(batch?.entries);
	const metrics = listsOf(batch?.metrics);
	const total = (lists: unknown[][]) => lists.reduce((sum, list) => sum + list.length, 0);
	if (
		!entries ||
		!metrics ||
		!entries.every((list) => list.every(isEntry)) ||
		!metrics.every((list) => list.every(isMinuteSums)) ||
		total(entries) > MAX_ENTRIES_PER_POST + NOTICES_PER_WORKER * entries.length ||
		total(metrics) > MAX_METRICS_PER_POST
	)
		return new Response(
			`expected a JSON object { entries: script id -> log entries (at most ${MAX_ENTRIES_PER_POST}), metrics: script id -> minute sums (at most ${MAX_METRICS_PER_POST}) }`,
			{ status: 400 }
		);
	await recorder?.record(batch as LogBatch);
	return new Response(null, { status: 204 });
}
