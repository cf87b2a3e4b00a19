// The upload form's action (the /upload page; the edit page's form posts here too): calls the same tRPC
// procedure as every other client and hands the form back with the error next to its field when it fails.
//
// The form posts the Worker's files as one field, `files` (JSON `{ mainModule, modules }`). With JavaScript
// the file tree fills it; without, it holds the files as the page was rendered and the `code` textarea (or a
// loaded `file`) is the main module's new source.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { STARTER_TEMPLATES } from './templates';
import { formFailure } from './errors.server';
import type { FormField } from './form-errors';
import { DEFAULT_MAIN_MODULE, parseProjectFiles, type ProjectFiles } from './project-files';

export interface DeployFormState {
	name: string;
	files: ProjectFiles;
	compatibilityDate: string;
	field?: FormField;
	message?: string;
	signIn?: boolean;
}

export async function deployFromForm(event: RequestEvent) {
	const form = await event.request.formData();
	const name = String(form.get('name') ?? '');
	const compatibilityDate = String(form.get('compatibilityDate') ?? '');
	const posted = form.get('files');
	const parsed = typeof posted === 'string' && posted !== '' ? parseProjectFiles(posted) : { mainModule: DEFAULT_MAIN_MODULE, modules: {} };
	if (typeof parsed === 'string') {
		const files = { mainModule: DEFAULT_MAIN_MODULE, modules: { [DEFAULT_MAIN_MODULE]: String(form.get('code') ?? '') } };
		return fail(400, { name, files, compatibilityDate, field: 'code', message: parsed } satisfies DeployFormState);
	}
	const state: DeployFormState = { name, files: parsed, compatibilityDate };
	const main = parsed.mainModule;
	const code = form.get('code');
	if (typeof code === 'string') parsed.modules[main] = code;
	const file = form.get('file');
	if (file instanceof File && file.size > 0) parsed.modules[main] = await file.text();

	// A starter-template button without JavaScript: fill the editor with it, deploy nothing.
	const template = STARTER_TEMPLATES.find((t) => t.id === form.get('template'));
	if (template) {
		parsed.modules[main] = template.code;
		return state;
	}

	try {
		await serverCaller(event).workers.upload({
			name,
			mainModule: main,
			modules: parsed.modules,
			compatibilityDate: compatibilityDate || undefined,
			// The form edits code; a Worker's static assets (uploaded with `wfp deploy --assets`) stay as they are.
			assets: { keep: true }
		});
	} catch (error) {
		return formFailure(error, 'deploy', state);
	}
	redirect(303, `/workers/${name}?deployed`);
}

