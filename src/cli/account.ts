// Signing in: `wfp login` checks a token with the platform and stores it with the URL (src/cli/config.ts),
// `wfp logout` removes it, `wfp whoami` says who the token in use belongs to. Tokens are never printed.
import { isTRPCClientError } from '@trpc/client';
import { createPlatformClient } from '../lib/trpc/client.ts';
import type { AppRouter } from '../lib/trpc/router.ts';
import type { Command, CommandSpec } from './commands.ts';
import { configPath, platformUrl, readStoredLogin, writeStoredLogin, type TokenSource } from './config.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { print, printJson, table, withSpinner } from './terminal.ts';

type Caller = Awaited<ReturnType<ReturnType<typeof createPlatformClient>['auth']['whoami']['query']>>;

/** "the operator", 'customer "Acme" (cus_…)', "nobody (anonymous)". */
export function describeCaller(caller: Caller): string {
	if (caller.kind === 'customer') return `customer ${JSON.stringify(caller.customerName)} (${caller.customerId})`;
	if (caller.kind === 'operator') return caller.openMode ? 'the operator (open mode: the platform has no admin token)' : 'the operator';
	return 'nobody (anonymous)';
}

/** Reads one line from a terminal without echoing it. Ctrl-C cancels. */
async function promptSecret(question: string): Promise<string> {
	const input = process.stdin;
	// Echo goes off before the prompt shows, so that nothing typed after it is ever echoed.
	input.setRawMode(true);
	process.stderr.write(question);
	input.setEncoding('utf8');
	input.resume();
	let onData: (chunk: string) => void = () => {};
	try {
		return await new Promise<string>((resolve, reject) => {
			let value = '';
			onData = (chunk) => {
				for (const char of chunk) {
					if (char === '\r' || char === '\n' || char === '\u0004') return resolve(value);
					if (char === '\u0003') return reject(new CliError('cancelled: nothing was stored', EXIT.failed));
					if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
					else if (char >= ' ') value += char;
				}
			};
			input.on('data', onData);
		});
	} finally {
		input.off('data', onData);
		input.setRawMode(false);
		input.pause();
		process.stderr.write('\n');
	}
}

/** The token to log in with: --token, else standard input when it is not a terminal, else a prompt. */
async function tokenToStore(url: string, flag: string | undefined): Promise<string> {
	let token: string;
	if (flag !== undefined) token = flag;
	else if (!process.stdin.isTTY) {
		const chunks: Buffer[] = [];
		for await (const chunk of process.stdin) chunks.push(chunk);
		token = Buffer.concat(chunks).toString('utf8');
	} else token = await promptSecret(`Token for ${url} (not shown): `);
	token = token.trim();
	if (!token) throw usageError('no token given: pass --token, pipe it to standard input, or type it at the prompt');
	if (/\s/.test(token)) throw usageError('a token is one word without spaces or line breaks');
	return token;
}

const login: Command = async (_args, options, { url, token, tokenSource }) => {
	const presented = await tokenToStore(url, tokenSource === '--token' ? token : undefined);
	let caller: Caller;
	try {
		caller = await withSpinner(`checking the token with ${url}`, createPlatformClient(url, { token: presented }).auth.whoami.query());
	} catch (error) {
		if (isTRPCClientError<AppRouter>(error) && error.data?.code === 'UNAUTHORIZED')
			throw new CliError(`${url} refused the token: nothing was stored`, EXIT.auth);
		throw error;
	}
	if (caller.kind === 'anonymous') throw new CliError(`${url} does not know this token: nothing was stored`, EXIT.auth);
	writeStoredLogin({ url, token: presented });
	if (options.json) return printJson({ url, ...caller, config: configPath() });
	process.stderr.write(`stored the token for ${url} in ${configPath()}\n`);
	print(`signed in to ${url} as ${describeCaller(caller)}`);
};

const logout: Command = async (_args, options, { url }) => {
	const stored = readStoredLogin();
	const signedIn = stored.token !== undefined && stored.url !== undefined && platformUrl(stored.url, configPath()) === url;
	if (signedIn) writeStoredLogin({ url: stored.url });
	if (options.json) return printJson({ url, signedOut: signedIn });
	if (!signedIn) return print(`not signed in to ${url}: ${configPath()} holds no token for it`);
	print(`signed out of ${url}: removed its token from ${configPath()}`);
	process.stderr.write('the token itself stays valid until it is revoked (wfp tokens revoke <id>)\n');
	if (process.env.WFP_TOKEN) process.stderr.write('note: WFP_TOKEN is still set, and commands keep using it\n');
};

const TOKEN_SOURCES: Record<TokenSource, string> = {
	'--token': 'from --token',
	WFP_TOKEN: 'from WFP_TOKEN',
	config: 'stored by wfp login'
};

const whoami: Command = async (_args, options, { url, client, tokenSource }) => {
	const caller = await withSpinner(`asking ${url}`, client.auth.whoami.query());
	if (options.json) return printJson({ url, ...caller, tokenSource });
	print(
		table([
			['signed in as', describeCaller(caller)],
			['url', url],
			['token', tokenSource ? `${TOKEN_SOURCES[tokenSource]}${tokenSource === 'config' ? ` (${configPath()})` : ''}` : 'none']
		])
	);
};

export const ACCOUNT_COMMANDS = {
	login: { run: login, options: ['json'], positionals: [0, 0] },
	logout: { run: logout, options: ['json'], positionals: [0, 0] },
	whoami: { run: whoami, options: ['json'], positionals: [0, 0] }
} satisfies Record<string, CommandSpec>;
