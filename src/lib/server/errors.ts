// Errors the platform raises for a caller's mistake. The tRPC layer maps them to BAD_REQUEST /
// NOT_FOUND and the dispatcher to 4xx pages; anything else is a platform bug (5xx).
import { ZodError } from 'zod';

/** The input was rejected; `field` names the input it concerns so a form can show it in place. */
export class InputError extends Error {
	constructor(
		readonly field: 'name' | 'code' | 'compatibilityDate' | 'cursor' | 'limit',
		message: string
	) {
		super(message);
		this.name = 'InputError';
	}
}

/** The input a rejected call concerns: an InputError's field, or the first input a zod check failed on. */
export function inputFieldOf(cause: unknown): string | null {
	if (cause instanceof InputError) return cause.field;
	if (cause instanceof ZodError) return String(cause.issues[0]?.path[0] ?? '') || null;
	return null;
}

export class NotFoundError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'NotFoundError';
	}
}

/** The backend has no script with this id (for example deleted behind the registry's back). */
export class ScriptMissingError extends Error {
	constructor(readonly scriptId: string) {
		super(`script ${scriptId} is not deployed`);
		this.name = 'ScriptMissingError';
	}
}

/** The runtime that runs user Workers is not answering (the local runner restarting, say): try again. */
export class RuntimeUnavailableError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RuntimeUnavailableError';
	}
}

/** The runtime stopped a user Worker for going over a per-request limit (cloudflare backend). */
export class LimitExceededError extends Error {
	constructor(
		readonly limit: 'cpu' | 'subrequests',
		message: string
	) {
		super(message);
		this.name = 'LimitExceededError';
	}
}
