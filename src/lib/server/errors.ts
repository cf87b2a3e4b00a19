// The platform's one error model. A caller's mistake is a PlatformError with a `kind`; each surface maps
// the kinds once: the tRPC router to its codes, the web UI to page statuses (src/lib/ui/errors.server.ts),
// the dispatcher to 4xx/5xx pages. Anything else is a platform bug (5xx).
//
// Surfaces recognise these errors by `kind`, never by `instanceof`: src/worker.ts and SvelteKit's server
// code are bundled apart, so an error thrown by the platform the entry built is an instance of the entry's
// copy of these classes, not SvelteKit's.
import { ZodError } from 'zod';

export type PlatformErrorKind =
	| 'input' // the input is wrong: fix it and retry (400)
	| 'not-found' // no such thing, or not one this caller may see (404)
	| 'conflict' // the thing exists and belongs to someone else, or the state moved on (409)
	| 'forbidden' // the caller is known but may not do this (403)
	| 'quota'; // a plan's limit would be exceeded (403)

export class PlatformError extends Error {
	readonly isPlatformError = true;
	constructor(
		readonly kind: PlatformErrorKind,
		message: string,
		/** The input the error concerns, so a form can show it in place. */
		readonly field: string | null = null
	) {
		super(message);
		this.name = 'PlatformError';
	}
}

/** `error` as a PlatformError, recognised by its shape so that any bundle's copy of the class counts. */
export function asPlatformError(error: unknown): PlatformError | null {
	return typeof error === 'object' && error !== null && (error as PlatformError).isPlatformError === true
		? (error as PlatformError)
		: null;
}

/** The input was rejected; `field` names the input it concerns. */
export class InputError extends PlatformError {
	constructor(field: string, message: string) {
		super('input', message, field);
		this.name = 'InputError';
	}
}

export class NotFoundError extends PlatformError {
	constructor(message: string) {
		super('not-found', message);
		this.name = 'NotFoundError';
	}
}

export class ConflictError extends PlatformError {
	constructor(message: string, field: string | null = null) {
		super('conflict', message, field);
		this.name = 'ConflictError';
	}
}

export class QuotaError extends PlatformError {
	constructor(message: string, field: string | null = null) {
		super('quota', message, field);
		this.name = 'QuotaError';
	}
}

/** The input a rejected call concerns: a PlatformError's field, or the first input a zod check failed on. */
export function inputFieldOf(cause: unknown): string | null {
	const platformError = asPlatformError(cause);
	if (platformError) return platformError.field;
	if (cause instanceof ZodError) return String(cause.issues[0]?.path[0] ?? '') || null;
	return null;
}

// Failures of a user Worker's execution, raised by a backend and answered by the dispatcher, which is
// always bundled with the backend it calls.

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
