// The upload form's no-JavaScript path: a form action that calls the same tRPC procedure as the
// browser's typed client, and hands the form back with the error next to its field when it fails.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { serverCaller } from '$lib/server/caller';
import { inputFieldOf } from '$lib/server/errors';
import { STARTER_TEMPLATES } from './templates';
import { asFormField, type FormField } from './form-errors';

export interface DeployFormState {
	name: string;
	code: string;
	compatibilityDate: string;
	field?: FormField;
	message?: string;
	signIn?: boolean;
}

export async function deployFromForm(event: RequestEvent) {
	const form = await event.request.formData();
	const state: DeployFormState = {
		name: String(form.get('name') ?? ''),
		code: String(form.get('code') ?? ''),
		compatibilityDate: String(form.get('compatibilityDate') ?? '')
	};
	const file = form.get('file');
	if (file instanceof File && file.size > 0) state.code = await file.text();

	// A starter-template button: fill the editor with it, deploy nothing.
	const template = STARTER_TEMPLATES.find((t) => t.id === form.get('template'));
	if (template) return { ...state, code: template.code } satisfies DeployFormState;

	try {
		await serverCaller(event).workers.upload({
			name: state.name,
			code: state.code,
			compatibilityDate: state.compatibilityDate || undefined
		});
	} catch (error) {
		if (!(error instanceof TRPCError)) throw error;
		if (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN')
			return fail(401, { ...state, signIn: true, message: 'Sign in to deploy.' } satisfies DeployFormState);
		if (error.code === 'BAD_REQUEST')
			return fail(400, { ...state, field: asFormField(inputFieldOf(error.cause)), message: error.message } satisfies DeployFormState);
		console.error('upload form:', error.cause ?? error);
		return fail(503, {
			...state,
			message: 'The platform could not deploy this Worker right now. Your code is kept below; try again.'
		} satisfies DeployFormState);
	}
	redirect(303, `/workers/${state.name}?deployed`);
}
