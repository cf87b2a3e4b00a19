// What a page shows when a call into the platform fails: the one mapping from the router's errors to
// page statuses and messages, used by load functions (error pages) and form actions (the form again,
// with the message next to its field).
import { error, fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { inputFieldOf } from '$lib/server/errors';
import { asFormField, type FormField } from './form-errors';

export interface PageProblem {
	status: number;
	message: string;
	/** The form field the message belongs next to; null shows it above the form. */
	field: FormField;
	/** The caller must sign in first. */
	signIn: boolean;
}

/** The router's codes for a caller's mistake, as page statuses; any other code is the platform's failure. */
const PAGE_STATUS: Partial<Record<TRPCError['code'], number>> = {
	BAD_REQUEST: 400,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409
};

/** `doing` completes "Sign in to …" (e.g. "deploy"). Anything that is not a caller's mistake is logged. */
export function problemOf(cause: unknown, doing: string): PageProblem {
	if (cause instanceof TRPCError) {
		if (cause.code === 'UNAUTHORIZED') return { status: 401, message: `Sign in to ${doing}.`, field: null, signIn: true };
		const field = asFormField(inputFieldOf(cause.cause));
		const status = PAGE_STATUS[cause.code];
		if (status) return { status, message: cause.message, field, signIn: false };
	}
	console.error(`web UI (${doing}):`, cause instanceof TRPCError ? (cause.cause ?? cause) : cause);
	return {
		status: 503,
		message: 'The platform could not do that right now. Try again in a moment.',
		field: null,
		signIn: false
	};
}

/** Load functions: the call's value, or SvelteKit's error page with the problem's status and message. */
export async function orErrorPage<T>(call: Promise<T>, doing = 'see this page'): Promise<T> {
	try {
		return await call;
	} catch (cause) {
		const problem = problemOf(cause, doing);
		error(problem.status, problem.message);
	}
}

/** Form actions: the form's own values handed back with the problem, for the page to show in place. */
export function formFailure<State extends object>(cause: unknown, doing: string, state: State) {
	const { status, ...problem } = problemOf(cause, doing);
	return fail(status, { ...state, ...problem });
}
