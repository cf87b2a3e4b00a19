// The commands. Each gets its positional arguments, the parsed options and a typed platform client.
import { readFile } from 'node:fs/promises';
import type { PlatformClient } from '../lib/trpc/client.ts';
import type { WorkerRecord } from '../lib/trpc/router.ts';
import { ACCOUNT_COMMANDS } from './account.ts';
import type { TokenSource } from './config.ts';
import { CUSTOMER_COMMANDS } from './customers.ts';
import { workerNameProblem } from '../lib/worker-name.ts';
import { workerPath } from '../lib/paths.ts';
import { formatBytes } from '../lib/format.ts';
import { deploy } from './deploy.ts';
import { rollback, secret, vars, versions } from './deployments.ts';
import { logs, tail } from './logs.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { confirm, formatTime, print, printJson, printNote, table, withSpinner, write } from './terminal.ts';

export interface CommandOptions {
	json?: boolean;
	name?: string;
	'compatibility-date'?: string;
	message?: string;
	// Deploying a project (src/cli/deploy.ts)
	'dry-run'?: boolean;
	outdir?: string;
	assets?: string;
	'page-size'?: string;
	source?: boolean;
	yes?: boolean;
	method?: string;
	header?: string[];
	data?: string;
	// Customers and tokens (src/cli/customers.ts)
	customer?: string;
	'max-workers'?: string;
	'max-script-bytes'?: string;
	'max-asset-bytes'?: string;
	'cpu-ms'?: string;
	subrequests?: string;
	// Logs (src/cli/logs.ts)
	level?: string;
}

export interface CommandContext {
	/** The platform's base URL, without a trailing slash. */
	url: string;
	client: PlatformClient;
	/** The token the client sends, and where it came from (src/cli/config.ts). */
	token: string | undefined;
	tokenSource: TokenSource | null;
}

export type Command = (args: string[], options: CommandOptions, context: CommandContext) => Promise<void>;

export interface CommandSpec {
	run: Command;
	options: (keyof CommandOptions)[];
	positionals: [number, number];
}

/** Checks a name with the server's own rules, so a bad one never reaches the network. */
function checkName(name: string, hint = ''): void {
	const problem = workerNameProblem(name);
	if (problem) throw usageError(`invalid Worker name ${JSON.stringify(name)}: ${problem}${hint}`);
}

/** A file's bytes, or standard input's for "-". */
async function readInput(file: string): Promise<Uint8Array<ArrayBuffer>> {
	try {
		if (file !== '-') return new Uint8Array(await readFile(file));
		const chunks: Buffer[] = [];
		for await (const chunk of process.stdin) chunks.push(chunk);
		return new Uint8Array(Buffer.concat(chunks));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
		throw usageError(`cannot read ${file}: ${reason}`);
	}
}

const list: Command = async (_args, options, { client }) => {
	const pageSize = Number(options['page-size'] ?? 100);
	if (!Number.isInteger(pageSize) || pageSize < 1) throw usageError('--page-size must be a whole number, at least 1');
	const customerId = options.customer;
	const pageAfter = (cursor: string | null) => client.workers.list.query({ cursor, limit: pageSize, customerId });
	// Who is asking decides the OWNER column (the operator's); both questions go in one batched request.
	const [caller, first] = await withSpinner('listing Workers', Promise.all([client.auth.whoami.query(), pageAfter(null)]));
	const workers: WorkerRecord[] = [...first.workers];
	let cursor = first.cursor;
	while (cursor) {
		const page: { workers: WorkerRecord[]; cursor: string | null } = await withSpinner(`listing Workers (${workers.length} so far)`, pageAfter(cursor));
		workers.push(...page.workers);
		cursor = page.cursor;
	}

	if (options.json) return printJson(workers);
	if (workers.length === 0) return printNote(customerId ? `customer ${customerId} has no Workers` : 'no Workers yet: deploy one with "wfp deploy [path]"');
	const owners = caller.kind === 'operator';
	print(
		table([
			['NAME', ...(owners ? ['OWNER'] : []), 'URL', 'SIZE', 'UPDATED'],
			...workers.map((w) => [w.name, ...(owners ? [w.customerId ?? 'operator'] : []), w.hostUrl ?? w.url, formatBytes(w.size), formatTime(w.updatedAt)])
		])
	);
};

const get: Command = async ([name], options, { client }) => {
	checkName(name);
	// The sources (`code`, the main module's; `modules`, every one) only with --source.
	const { code, modules, ...record } = await client.workers.get.query({ name });
	if (options.json) return printJson(options.source ? { ...record, code, modules } : record);
	if (options.source) return write(code);
	print(
		table([
			['name', record.name],
			['url', record.hostUrl ?? record.url],
			...(record.hostUrl ? [['shared url', record.url]] : []),
			['size', `${formatBytes(record.size)} (${record.size} bytes)`],
			['sha256', record.sha256],
			['compatibility date', record.compatibilityDate],
			['created', formatTime(record.createdAt)],
			['updated', formatTime(record.updatedAt)],
			['version', String(record.version)],
			['script id', record.scriptId]
		])
	);
};

const remove: Command = async ([name], options, { client, url }) => {
	checkName(name);
	if (!options.yes) {
		if (!process.stdin.isTTY) throw usageError(`not deleting ${name} without confirmation: pass --yes`);
		if (!(await confirm(`Delete Worker ${name}? ${url}${workerPath(name)} will stop serving.`)))
			throw new CliError(`cancelled: ${name} was not deleted`, EXIT.failed);
	}
	const result = await client.workers.delete.mutate({ name });
	if (options.json) return printJson(result);
	print(`deleted ${result.name}`);
};

/** "Name: value" -> [name, value] */
function parseHeader(header: string): [string, string] {
	const match = header.match(/^([^:]+):\s*(.*)$/);
	if (!match) throw usageError(`header ${JSON.stringify(header)} must look like "Name: value"`);
	return [match[1].trim(), match[2]];
}

const call: Command = async ([name, path = '/'], options, { url }) => {
	checkName(name);
	const headers = new Headers();
	for (const header of options.header ?? []) {
		const [key, value] = parseHeader(header);
		try {
			headers.append(key, value);
		} catch {
			throw usageError(`header ${JSON.stringify(header)} is not a valid HTTP header`);
		}
	}
	// Uncompressed unless asked otherwise, so the headers printed describe the body printed.
	if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'identity');
	const data = options.data;
	const body = data === undefined ? undefined : data.startsWith('@') ? await readInput(data.slice(1)) : data;
	const method = (options.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
	if (!/^[A-Z]+$/.test(method)) throw usageError(`${JSON.stringify(options.method)} is not an HTTP method`);
	if (body !== undefined && (method === 'GET' || method === 'HEAD')) throw usageError(`a ${method} request cannot have a body (-d)`);

	const target = url + workerPath(name).slice(0, -1) + (path.startsWith('/') ? path : `/${path}`);
	// A plain request, not the tRPC client: the admin token must never reach a customer's Worker.
	const response = await fetch(target, { method, headers, body, redirect: 'manual' });
	const text = await response.text();
	if (options.json) {
		const responseHeaders: Record<string, string> = {};
		for (const [key, value] of response.headers)
			responseHeaders[key] = key in responseHeaders ? `${responseHeaders[key]}, ${value}` : value;
		return printJson({ status: response.status, statusText: response.statusText, headers: responseHeaders, body: text });
	}
	print(`HTTP ${response.status} ${response.statusText}`.trimEnd());
	for (const [key, value] of response.headers) print(`${key}: ${value}`);
	print('');
	write(text);
	if (process.stdout.isTTY && text && !text.endsWith('\n')) print('');
};

export const COMMANDS: Record<string, CommandSpec> = {
	deploy: { run: deploy, options: ['name', 'compatibility-date', 'message', 'dry-run', 'outdir', 'assets', 'json'], positionals: [0, 1] },
	list: { run: list, options: ['json', 'page-size', 'customer'], positionals: [0, 0] },
	get: { run: get, options: ['source', 'json'], positionals: [1, 1] },
	delete: { run: remove, options: ['yes', 'json'], positionals: [1, 1] },
	call: { run: call, options: ['method', 'header', 'data', 'json'], positionals: [1, 2] },
	versions: { run: versions, options: ['json'], positionals: [1, 1] },
	rollback: { run: rollback, options: ['json'], positionals: [2, 2] },
	vars: { run: vars, options: ['json'], positionals: [2, 100] },
	secret: { run: secret, options: ['json'], positionals: [2, 4] },
	logs: { run: logs, options: ['json', 'level'], positionals: [1, 1] },
	tail: { run: tail, options: ['json', 'level'], positionals: [1, 1] },
	...ACCOUNT_COMMANDS,
	...CUSTOMER_COMMANDS
};
