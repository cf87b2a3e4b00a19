// `wfp`: parses the command line (node:util parseArgs), runs one command, and turns every failure into one
// line on stderr and an exit code (listed in every --help).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createPlatformClient } from '../lib/trpc/client.ts';
import { COMMANDS } from './commands.ts';
import { resolveCredentials } from './config.ts';
import { CliError, EXIT, explainRequestError, usageError } from './errors.ts';
import { COMMAND_HELP, MAIN_HELP } from './help.ts';
import { printNote } from './terminal.ts';

// Every command's options, parsed together; each command then accepts only its own (COMMANDS) and these.
const OPTIONS = {
	url: { type: 'string' },
	token: { type: 'string' },
	help: { type: 'boolean', short: 'h' },
	version: { type: 'boolean', short: 'v' },
	json: { type: 'boolean' },
	name: { type: 'string', short: 'n' },
	'compatibility-date': { type: 'string' },
	message: { type: 'string', short: 'm' },
	// Deploying a project (src/cli/deploy.ts)
	'dry-run': { type: 'boolean' },
	outdir: { type: 'string' },
	assets: { type: 'string' },
	'page-size': { type: 'string' },
	source: { type: 'boolean' },
	yes: { type: 'boolean', short: 'y' },
	method: { type: 'string', short: 'X' },
	header: { type: 'string', short: 'H', multiple: true },
	data: { type: 'string', short: 'd' },
	// Customers and tokens (src/cli/customers.ts)
	customer: { type: 'string' },
	'max-workers': { type: 'string' },
	'max-script-bytes': { type: 'string' },
	'max-asset-bytes': { type: 'string' },
	'cpu-ms': { type: 'string' },
	subrequests: { type: 'string' },
	// Logs (src/cli/logs.ts)
	level: { type: 'string' }
} as const;
const GLOBAL_OPTIONS = new Set(['url', 'token', 'help']);

function parse(argv: string[]) {
	try {
		return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, tokens: true });
	} catch (error) {
		const message = (error as Error).message;
		const unknown = message.match(/^Unknown option '([^']+)'/);
		throw usageError(unknown ? `unknown option ${unknown[1]} (see wfp --help)` : message.split('. ')[0]);
	}
}

function version(): string {
	const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
	return pkg.version;
}

async function run(argv: string[]): Promise<void> {
	const { values, positionals, tokens } = parse(argv);
	const [commandName, ...args] = positionals;

	if (commandName === undefined || commandName === 'help') {
		const topic = args[0];
		if (values.version) return void process.stdout.write(`wfp ${version()}\n`);
		if (topic !== undefined && Object.hasOwn(COMMANDS, topic)) return void process.stdout.write(COMMAND_HELP[topic]);
		if (values.help || commandName === 'help') return void process.stdout.write(MAIN_HELP);
		process.stderr.write(MAIN_HELP);
		throw usageError('no command given');
	}
	if (!Object.hasOwn(COMMANDS, commandName)) throw usageError(`unknown command ${JSON.stringify(commandName)} (see wfp --help)`);
	if (values.help) return void process.stdout.write(COMMAND_HELP[commandName]);
	const command = COMMANDS[commandName];

	for (const token of tokens) {
		if (token.kind !== 'option' || GLOBAL_OPTIONS.has(token.name)) continue;
		if (!(command.options as string[]).includes(token.name))
			throw usageError(`wfp ${commandName} has no option ${token.rawName} (see wfp ${commandName} --help)`);
	}
	const [min, max] = command.positionals;
	if (args.length < min || args.length > max) {
		const usage = COMMAND_HELP[commandName].split('\n')[0];
		throw usageError(`wrong number of arguments; ${usage.charAt(0).toLowerCase()}${usage.slice(1)}`);
	}

	const { url, token, tokenSource } = resolveCredentials(values);
	const client = createPlatformClient(url, { token });
	try {
		await command.run(args, values, { url, client, token, tokenSource });
	} catch (error) {
		throw explainRequestError(error, { url, token, tokenSource });
	}
}

/** Runs wfp with these arguments; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
	// `wfp list | head -1` closes stdout early; that is not an error.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code !== 'EPIPE') throw error;
		process.exit(EXIT.ok);
	});
	try {
		await run(argv);
		return EXIT.ok;
	} catch (error) {
		const failure = error instanceof CliError ? error : new CliError(String(error), EXIT.failed);
		printNote(`wfp: ${failure.message}`);
		return failure.exitCode;
	}
}
