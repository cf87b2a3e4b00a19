// Terminal output: tables, JSON, a spinner, a confirmation prompt and a no-echo secret prompt (the last
// three only on a TTY). What a Worker or a server wrote reaches a terminal only through forStream.
import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './errors.ts';

// Escape sequences a terminal acts on: CSI (colours, cursor moves, screen clearing; ESC [ or 8-bit CSI),
// terminated string commands (OSC sets the title or the clipboard, DCS, SOS, PM, APC; ESC ], ESC P, ESC X,
// ESC ^, ESC _ or their 8-bit forms, ended by BEL or ST), and two-character escapes (ESC c resets the
// terminal). An unterminated string command loses its introducer only, so the text after it stays visible.
const ESCAPE_SEQUENCE =
	/(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)|\x1b[\x20-\x2f]*[\x30-\x7e]/g;
/** C0 controls except tab and line feed, DEL, and C1 controls. */
const CONTROL_CHARACTER = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * `text` safe to show on a terminal: escape sequences and control characters removed (tabs and line breaks
 * kept), so that what a Worker or a server wrote cannot move the cursor, rewrite the screen or the window
 * title, or reach the clipboard.
 */
export function sanitizeForTerminal(text: string): string {
	return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARACTER, '');
}

/** `text` as it goes to `stream`: sanitized when that is a terminal, exact otherwise (`wfp get --source > file.js`). */
export function forStream(stream: { isTTY?: boolean }, text: string): string {
	return stream.isTTY ? sanitizeForTerminal(text) : text;
}

/** Writes `text` to standard output as is, except on a terminal (forStream). */
export function write(text: string): void {
	process.stdout.write(forStream(process.stdout, text));
}

export function print(text: string): void {
	write(text + '\n');
}

/** A line on standard error (messages, progress), sanitized on a terminal like standard output. */
export function printNote(text: string): void {
	process.stderr.write(forStream(process.stderr, text + '\n'));
}

/** `--json` output: pretty-printed, one document per command. */
export function printJson(value: unknown): void {
	print(JSON.stringify(value, null, 2));
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: string[][]): string {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

/** "2026-11-22T22:18:29.123Z" -> "2026-11-22 22:18:29 UTC" */
export const formatTime = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/** Shows `label` with a spinner on stderr while `work` runs longer than a moment, when stderr is a TTY. */
export async function withSpinner<T>(label: string, work: Promise<T>): Promise<T> {
	const stream = process.stderr;
	if (!stream.isTTY) return work;
	let frame = 0;
	const timer = setInterval(() => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`), 150);
	try {
		return await work;
	} finally {
		clearInterval(timer);
		if (frame > 0) stream.write('\r\x1b[2K');
	}
}

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
	const prompt = createInterface({ input: process.stdin, output: process.stderr });
	try {
		return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
	} finally {
		prompt.close();
	}
}

/**
 * A secret's value: typed at a prompt that does not echo it (on a terminal), or else standard input with
 * one trailing line break removed. Never a command-line argument, which other users can see in `ps`.
 */
export async function readSecret(prompt: string): Promise<string> {
	if (!process.stdin.isTTY) {
		const chunks: Buffer[] = [];
		for await (const chunk of process.stdin) chunks.push(chunk);
		return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
	}
	process.stderr.write(prompt);
	process.stdin.setRawMode(true);
	process.stdin.resume();
	let value = '';
	try {
		return await new Promise<string>((resolve, reject) => {
			process.stdin.on('data', (chunk: Buffer) => {
				for (const char of chunk.toString('utf8')) {
					if (char === '\r' || char === '\n') return resolve(value);
					if (char === '\u0003') return reject(new CliError('cancelled', EXIT.failed));
					if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
					else value += char;
				}
			});
		});
	} finally {
		process.stdin.setRawMode(false);
		process.stdin.pause();
		process.stderr.write('\n');
	}
}
