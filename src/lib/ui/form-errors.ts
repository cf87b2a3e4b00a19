// Turning the typed client's errors into what the forms show, in the browser.
import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '$lib/trpc';

/** The input an error concerns (the router's errorFormatter names it in `data.field`). */
export type FormField = 'name' | 'code' | 'compatibilityDate' | null;

/** The field a form shows an error next to; other inputs' errors show above the form. */
export function asFormField(field: unknown): FormField {
	return field === 'name' || field === 'code' || field === 'compatibilityDate' ? field : null;
}

export interface FormProblem {
	field: FormField;
	message: string;
	/** The server wants a signed-in caller. */
	signIn: boolean;
}

export function problemOf(error: unknown): FormProblem {
	if (error instanceof TRPCClientError && error.data) {
		const { code, field } = (error as TRPCClientError<AppRouter>).data!;
		if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') return { field: null, message: 'Sign in to deploy.', signIn: true };
		if (code === 'BAD_REQUEST' || code === 'NOT_FOUND') return { field: asFormField(field), message: error.message, signIn: false };
		return { field: null, message: `The platform answered with an error: ${error.message}`, signIn: false };
	}
	// No answer at all: the server is down or the network is.
	return {
		field: null,
		message: 'Cannot reach the platform API. Check that the server is running, then try again.',
		signIn: false
	};
}
