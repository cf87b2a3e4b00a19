// `wfp logs <name>` (the most recent entries) and `wfp tail <name>` (new entries as they come, until
// Ctrl-C): both read workers.logs; tail asks for the entries after its cursor once a second (TAIL_POLL_MS).
// Entries are what a Worker wrote, so they go through print(), which sanitizes them on a terminal.
import type { LogEntry } from '../lib/server/logs/entries.ts';
import { isLogLevel, LOG_LEVELS } from '../lib/server/logs/entries.ts';
import { workerNameProblem } from '../lib/worker-name.ts';
import type { CommandContext, CommandOptions } from './commands.ts';
import { usageError } from './errors.ts';
import { print, printJson } from './terminal.ts';

type Command = (args: string[], options: CommandOptions, context: CommandContext) => Promise<void>;

/** How often `wfp tail` asks for new entries. */
export const TAIL_POLL_MS = 1000;
const TAIL_PAGE = 1000;

function checkArgs(name: string, level: string | undefined) {
	const problem = workerNameProblem(name);
	if (problem) throw usageError(`invalid Worker name ${JSON.stringify(name)}: ${problem}`);
	if (level !== undefined && !isLogLevel(level)) throw usageError(`--level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
}

/** One entry as a line: time, level, request id (short), message (a request line's summary). */
export function formatEntry(entry: LogEntry): string {
	const time = new Date(entry.time).toISOString().replace('T', ' ').replace('Z', '');
	const request = entry.requestId ? entry.requestId.slice(0, 8) : '-';
	const kind = entry.kind === 'log' ? entry.level.toUpperCase() : entry.kind.toUpperCase();
	return `${time}  ${kind.padEnd(9)}  ${request}  ${entry.message}`;
}

/** Prints entries oldest first: as lines, or one JSON document per line with --json. */
function printEntries(entries: LogEntry[], json: boolean | undefined) {
	for (const entry of [...entries].reverse()) print(json ? JSON.stringify(entry) : formatEntry(entry));
}

export const logs: Command = async ([name], options, { client }) => {
	checkArgs(name, options.level);
	const { entries } = await client.workers.logs.query({ name, level: options.level as LogEntry['level'] | undefined, limit: 100 });
	if (options.json) return printJson(entries);
	printEntries(entries, false);
};

export const tail: Command = async ([name], options, { client }) => {
	checkArgs(name, options.level);
	const level = options.level as LogEntry['level'] | undefined;
	// Starts after the newest entry so far: only what happens from now on is printed.
	let { cursor } = await client.workers.logs.query({ name, level, limit: 1 });
	for (;;) {
		await new Promise((resolve) => setTimeout(resolve, TAIL_POLL_MS));
		const page = await client.workers.logs.query({ name, level, since: cursor, limit: TAIL_PAGE });
		printEntries(page.entries, options.json);
		cursor = page.cursor;
	}
};
