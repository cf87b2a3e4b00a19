// `wfp logs <name>` (the most recent entries, workers.logs) and `wfp tail <name>` (new entries as they are
// recorded, until Ctrl-C: the workers.tail subscription, a server-sent event stream that reconnects after
// its last entry when the server ends it).
// Entries are what a Worker wrote, so they go through print(), which sanitizes them on a terminal.
import type { LogEntry } from '../lib/server/logs/entries.ts';
import { isLogLevel, LOG_LEVELS } from '../lib/server/logs/entries.ts';
import { workerNameProblem } from '../lib/worker-name.ts';
import type { CommandContext, CommandOptions } from './commands.ts';
import { usageError } from './errors.ts';
import { print, printJson } from './terminal.ts';

type Command = (args: string[], options: CommandOptions, context: CommandContext) => Promise<void>;

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
	// The stream starts after the newest entry so far: only what happens from now on is printed.
	await new Promise<never>((_, reject) => {
		client.workers.tail.subscribe(
			{ name, level },
			{
				// On stderr, so that stdout holds only entries: the stream is open, what happens from now on shows.
				onStarted: () => process.stderr.write(`tailing ${name} (Ctrl-C to stop)\n`),
				onData: ({ data }) => printEntries([data as LogEntry], options.json),
				onError: reject,
				onComplete: () => reject(new Error('the platform ended the live tail'))
			}
		);
	});
};
