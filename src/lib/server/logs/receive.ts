// The app's end of the runners' log channel: POST RUNNER_LOGS_PATH with a JSON object, script id -> the
// Worker's new entries (src/runner/worker.ts, LogTail and LogBuffer), already checked for the runner
// secret by the caller.
import { isLogLevel, MAX_MESSAGE_CHARS, type NewLogEntry } from './entries';
import type { LogRecorder } from './recorder';

/**
 * Where the platform's Tail Worker (cloudflare backend, src/tail/worker.ts) posts user Workers' entries, in
 * the same JSON shape as the runners, with LOG_INGEST_SECRET in this header.
 */
export const LOG_INGEST_PATH = '/__platform/logs';
export const LOG_INGEST_SECRET_HEADER = 'x-wfp-log-secret';

/** The most entries one POST may carry (the runner's LogBuffer holds at most this many). */
export const MAX_ENTRIES_PER_POST = 5000;

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

/** Hands a POST's entries to the recorder (the store, then the Workers' live tails). */
export async function receiveLogEntries(request: Request, recorder: LogRecorder | undefined): Promise<Response> {
	if (request.method !== 'POST') return new Response('POST only', { status: 405 });
	const batch: unknown = await request.json().catch(() => null);
	const lists = batch !== null && typeof batch === 'object' && !Array.isArray(batch) ? Object.values(batch) : null;
	if (
		!lists ||
		!lists.every((list) => Array.isArray(list) && list.every(isEntry)) ||
		lists.reduce((sum, list) => sum + (list as unknown[]).length, 0) > MAX_ENTRIES_PER_POST
	)
		return new Response('expected a JSON object: script id -> array of log entries', { status: 400 });
	await recorder?.record(batch as Record<string, NewLogEntry[]>);
	return new Response(null, { status: 204 });
}
