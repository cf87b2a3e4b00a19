// The app's end of the runners' log channel: POST RUNNER_LOGS_PATH + <scriptId> with a JSON array of
// entries (src/runner/worker.ts, LogTail), already checked for the runner secret by the caller.
import { isLogLevel, MAX_LINES_PER_REQUEST, MAX_MESSAGE_CHARS, type NewLogEntry } from './entries';
import type { LogStore } from './store';

/** The most entries one POST may carry (a Tail Worker call covers a few invocations at most). */
const MAX_ENTRIES_PER_POST = 20 * (MAX_LINES_PER_REQUEST + 12);

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

export async function receiveLogEntries(request: Request, scriptId: string, logs: LogStore | undefined): Promise<Response> {
	if (request.method !== 'POST') return new Response('POST only', { status: 405 });
	const entries: unknown = await request.json().catch(() => null);
	if (!Array.isArray(entries) || entries.length > MAX_ENTRIES_PER_POST || !entries.every(isEntry) || scriptId === '')
		return new Response('expected a JSON array of log entries', { status: 400 });
	await logs?.record(scriptId, entries);
	return new Response(null, { status: 204 });
}
