// What can go wrong, as one line a person can act on and an exit code a script can test.
import { isTRPCClientError } from '@trpc/client';
import type { AppRouter } from '../lib/trpc/router.ts';
import type { TokenSource } from './config.ts';

export const EXIT = {
	ok: 0,
	/** The platform refused or failed the request: invalid upload, unknown Worker, server error. */
	failed: 1,
	/** The command line is wrong: unknown option, invalid name, unreadable file, no confirmation. */
	usage: 2,
	/** No answer from --url. */
	unreachable: 3,
	/** The platform wants a token, refused the one given, or lets only its operator do this. */
	auth: 4
} as const;

export class CliError extends Error {
	readonly exitCode: number;

	constructor(message: string, exitCode: number) {
		super(message);
		this.name = 'CliError';
		this.exitCode = exitCode;
	}
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);

export interface RequestContext {
	url: string;
	token: string | undefined;
	tokenSource?: TokenSource | null;
}

/** Which token was refused, and what to do about it. */
function refusedToken(url: string, source: TokenSource | null | undefined): string {
	if (source === 'config') return `the token stored by wfp login for ${url} was refused (revoked?): run wfp login again`;
	if (source === 'WFP_TOKEN') return 'the token in WFP_TOKEN was refused';
	return 'the token was refused';
}

/** Why fetch got no answer (ECONNREFUSED, ENOTFOUND, ...), or null when the error is something else. */
function unreachableReason(error: unknown): string | null {
	let e = error;
	while (e instanceof Error && !(e instanceof TypeError && e.message === 'fetch failed')) e = e.cause;
	if (!(e instanceof Error)) return null;
	for (let cause = e.cause; cause instanceof Error; cause = cause.cause) {
		const code = (cause as { code?: unknown }).code;
		if (typeof code === 'string') return code;
	}
	return e.cause instanceof Error ? e.cause.message : e.message;
}

/** Messages may span lines (a syntax error's excerpt); the CLI prints one. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Turns anything a request threw into a CliError. */
export function explainRequestError(error: unknown, { url, token, tokenSource }: RequestContext): CliError {
	if (error instanceof CliError) return error;
	const unreachable = unreachableReason(error);
	if (unreachable === 'ECONNREFUSED') return new CliError(`cannot reach ${url}: is \`npm start\` running?`, EXIT.unreachable);
	if (unreachable) return new CliError(`cannot reach ${url}: ${unreachable}`, EXIT.unreachable);
	if (!isTRPCClientError<AppRouter>(error)) return new CliError(oneLine(String(error)), EXIT.failed);

	const message = oneLine(error.message);
	switch (error.data?.code) {
		case undefined:
			// Not a tRPC answer at all: --url points at something else.
			return new CliError(`${url} did not answer as a workers-platform server (${message}); check --url`, EXIT.failed);
		case 'UNAUTHORIZED':
			return token
				? new CliError(refusedToken(url, tokenSource), EXIT.auth)
				: new CliError('the server needs a token: run wfp login, pass --token or set WFP_TOKEN', EXIT.auth);
		case 'FORBIDDEN':
			// A plan's limit names the input it concerns (a field); "only the operator may" names none.
			return new CliError(message, error.data.field ? EXIT.failed : EXIT.auth);
		case 'TOO_MANY_REQUESTS':
			return new CliError(message, EXIT.auth);
		case 'NOT_FOUND':
			return new CliError(`not found: ${message}`, EXIT.failed);
		case 'INTERNAL_SERVER_ERROR':
			return new CliError(`the server failed: ${message}`, EXIT.failed);
		default:
			return new CliError(message, EXIT.failed);
	}
}
