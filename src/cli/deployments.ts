// The commands for a Worker's versions and settings: versions, rollback, vars, secret.
import { formatBytes } from '../lib/format.ts';
import { workerNameProblem } from '../lib/worker-name.ts';
import type { CommandContext, CommandOptions } from './commands.ts';
import { usageError } from './errors.ts';
import { formatTime, print, printJson, readSecret, table } from './terminal.ts';

type Command = (args: string[], options: CommandOptions, context: CommandContext) => Promise<void>;

function checkName(name: string): void {
	const problem = workerNameProblem(name);
	if (problem) throw usageError(`invalid Worker name ${JSON.stringify(name)}: ${problem}`);
}

function versionNumber(value: string): number {
	const version = Number(value);
	if (!/^\d+$/.test(value) || !Number.isSafeInteger(version) || version < 1)
		throw usageError(`version must be a whole number like 3, got ${JSON.stringify(value)}`);
	return version;
}

/** The API's page size for versions (its maximum). */
const VERSIONS_PAGE = 100;

export const versions: Command = async ([name], options, { client }) => {
	checkName(name);
	type Page = Awaited<ReturnType<typeof client.workers.versions.query>>;
	const all: Page['versions'] = [];
	let serving = 0;
	let cursor: string | null = null;
	do {
		const page: Page = await client.workers.versions.query({ name, cursor, limit: VERSIONS_PAGE });
		all.push(...page.versions);
		serving = page.serving;
		cursor = page.cursor;
	} while (cursor);
	if (options.json) return printJson({ serving, versions: all });
	print(
		table([
			['VERSION', 'CREATED', 'BY', 'SIZE', 'MESSAGE'],
			...all.map((v) => [
				`${v.version}${v.version === serving ? ' (serving)' : ''}`,
				formatTime(v.createdAt),
				v.author,
				formatBytes(v.size),
				v.message ?? ''
			])
		])
	);
};

export const rollback: Command = async ([name, version], options, { client }) => {
	checkName(name);
	const record = await client.workers.rollback.mutate({ name, version: versionNumber(version) });
	if (options.json) return printJson(record);
	print(`${record.name} serves version ${record.version} again (${record.hostUrl ?? record.url})`);
};

/** KEY=VALUE -> [KEY, VALUE] */
function assignment(text: string): [string, string] {
	const equals = text.indexOf('=');
	if (equals < 1) throw usageError(`${JSON.stringify(text)} must look like NAME=value`);
	return [text.slice(0, equals), text.slice(equals + 1)];
}

export const vars: Command = async ([action, name, ...rest], options, { client }) => {
	if (!['set', 'unset', 'list'].includes(action)) throw usageError(`wfp vars ${JSON.stringify(action)}: use set, unset or list`);
	checkName(name);
	if (action === 'list') {
		if (rest.length) throw usageError('wfp vars list takes only the Worker name');
		const { vars } = await client.workers.settings.get.query({ name });
		if (options.json) return printJson(vars);
		const entries = Object.entries(vars);
		if (entries.length === 0) return void process.stderr.write(`${name} has no variables: set one with "wfp vars set ${name} NAME=value"\n`);
		return print(table([['NAME', 'VALUE'], ...entries]));
	}
	if (rest.length === 0) throw usageError(action === 'set' ? 'give at least one NAME=value' : 'give at least one variable name');
	const change = Object.fromEntries(action === 'set' ? rest.map(assignment) : rest.map((key) => [key, null]));
	const { vars } = await client.workers.settings.update.mutate({ name, vars: change });
	if (options.json) return printJson(vars);
	print(`${action === 'set' ? 'set' : 'unset'} ${Object.keys(change).join(', ')} on ${name}; the next request sees it`);
};

export const secret: Command = async ([action, name, key, ...rest], options, { client }) => {
	if (!['put', 'delete', 'list'].includes(action)) throw usageError(`wfp secret ${JSON.stringify(action)}: use put, delete or list`);
	checkName(name);
	if (action === 'list') {
		if (key !== undefined) throw usageError('wfp secret list takes only the Worker name');
		const { secrets } = await client.workers.settings.get.query({ name });
		if (options.json) return printJson(secrets);
		if (secrets.length === 0) return void process.stderr.write(`${name} has no secrets: add one with "wfp secret put ${name} NAME"\n`);
		return print(secrets.join('\n'));
	}
	if (key === undefined || rest.length)
		throw usageError(`wfp secret ${action} takes the Worker name and one secret name${action === 'put' ? ' (the value comes from standard input or a prompt, never an argument)' : ''}`);
	const value = action === 'put' ? await readSecret(`Value of ${key} for ${name}: `) : null;
	const { secrets } = await client.workers.settings.update.mutate({ name, secrets: { [key]: value } });
	if (options.json) return printJson(secrets);
	print(`${action === 'put' ? 'put' : 'deleted'} secret ${key} on ${name}; the next request sees it`);
};
