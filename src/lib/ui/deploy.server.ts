// The upload form's action (the /upload page; the edit page's form posts here too): calls the same tRPC
// procedure as every other client and hands the form back with the error next to its field when it fails.
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { STARTER_TEMPLATES } from './templates';
import { formFailure } from './errors.server';
import type { FormField } from './form-errors';

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

	// A starter-template button without JavaScript: fill the editor with it, deploy nothing.
	const template = STARTER_TEMPLATES.find((t) => t.id === form.get('template'));
	if (template) return { ...state, code: template.code } satisfies DeployFormState;

	try {
		await serverCaller(event).workers.upload({
			name: state.name,
			code: state.code,
			compatibilityDate: state.compatibilityDate || undefined
		});
	} catch (error) {
		return formFailure(error, 'deploy', state);
	}
	redirect(303, `/workers/${state.name}?deployed`);
}
