// A Worker's log entries: what its console.* calls, its uncaught exceptions and each of its requests leave
// behind, made from the runtime's trace events (a Tail Worker's `tail(events)`). Pure: the runner (which
// receives the trace events) and the app (which stores them) both load this file.

/** Entry levels, least severe first; `level` filters keep this level and those after it. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogKind = 'log' | 'exception' | 'request';

/** What one request did, on its request line. */
export interface RequestSummary {
	method: string;
	/** The path the Worker saw, without the query string (which may carry credentials). */
	path: string;
	/** The response's status, or null when there was none (an exception, a limit, a cancelled request). */
	status: number | null;
	/** ok, exception, exceededCpu, exceededMemory, canceled, … as the runtime reports it. */
	outcome: string;
	wallMs: number;
	cpuMs: number;
}

/** An entry as the runner sends it (the store adds `id`). */
export interface NewLogEntry {
	/** Milliseconds since the epoch. */
	time: number;
	/** The platform's id of the request the entry belongs to (its `x-request-id` header), or null. */
	requestId: string | null;
	kind: LogKind;
	level: LogLevel;
	message: string;
	request?: RequestSummary;
}

/** A stored entry; `id` grows with every entry of a Worker, so it is also the `since` cursor. */
export interface LogEntry extends NewLogEntry {
	id: number;
}

/** The header the platform sets on every request a user Worker receives; its log entries carry the same id. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** How much of one invocation is kept: the lines beyond these are summed up in one "dropped" line. */
export const MAX_LINES_PER_REQUEST = 200;
export const MAX_MESSAGE_CHARS = 4000;

const CONSOLE_LEVELS: Record<string, LogLevel> = { debug: 'debug', trace: 'debug', log: 'info', info: 'info', warn: 'warn', error: 'error' };

export const levelRank = (level: LogLevel) => LOG_LEVELS.indexOf(level);

export function isLogLevel(value: unknown): value is LogLevel {
	return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

function clip(text: string): string {
	return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters)`;
}

/** A console call's arguments as one line: strings as they are, anything else as JSON. */
function messageOf(parts: unknown): string {
	const list = Array.isArray(parts) ? parts : [parts];
	return clip(
		list
			.map((part) => {
				if (typeof part === 'string') return part;
				try {
					return JSON.stringify(part) ?? String(part);
				} catch {
					return String(part);
				}
			})
			.join(' ')
	);
}

function pathOf(url: string): string {
	try {
		return new URL(url).pathname;
	} catch {
		return '/';
	}
}

/** The entries of one Tail Worker call: each invocation's console lines, exceptions and request line. */
export function entriesFromTrace(events: readonly TraceItem[]): NewLogEntry[] {
	const entries: NewLogEntry[] = [];
	for (const event of events) {
		const fetchEvent = event.event && 'request' in event.event ? (event.event as TraceItemFetchEventInfo) : null;
		const requestId = fetchEvent?.request.headers[REQUEST_ID_HEADER] ?? null;
		const time = event.eventTimestamp ?? Date.now();
		let lines = 0;
		for (const log of event.logs) {
			if (lines++ >= MAX_LINES_PER_REQUEST) break;
			entries.push({ time: log.timestamp, requestId, kind: 'log', level: CONSOLE_LEVELS[log.level] ?? 'info', message: messageOf(log.message) });
		}
		if (event.logs.length > MAX_LINES_PER_REQUEST)
			entries.push({
				time,
				requestId,
				kind: 'log',
				level: 'warn',
				message: `${event.logs.length - MAX_LINES_PER_REQUEST} more console lines of this request dropped (at most ${MAX_LINES_PER_REQUEST} are kept per request)`
			});
		for (const exception of event.exceptions.slice(0, 10))
			entries.push({
				time: exception.timestamp,
				requestId,
				kind: 'exception',
				level: 'error',
				message: clip(exception.stack && exception.stack.includes(exception.message) ? exception.stack : `${exception.name}: ${exception.message}${exception.stack ? `\n${exception.stack}` : ''}`)
			});
		if (fetchEvent) {
			const status = fetchEvent.response?.status ?? null;
			const request: RequestSummary = {
				method: fetchEvent.request.method,
				path: pathOf(fetchEvent.request.url),
				status,
				outcome: event.outcome,
				// Local workerd reports no wall time: then it is the time from the event's start to this Tail Worker call.
				wallMs: event.wallTime || Math.max(0, Date.now() - time),
				cpuMs: event.cpuTime ?? 0
			};
			const failed = event.outcome !== 'ok' || status === null || status >= 500;
			entries.push({
				time,
				requestId,
				kind: 'request',
				level: failed ? 'error' : 'info',
				message: `${request.method} ${request.path} ${status ?? '-'} ${request.outcome} ${request.wallMs} ms`,
				request
			});
		}
	}
	return entries;
}
