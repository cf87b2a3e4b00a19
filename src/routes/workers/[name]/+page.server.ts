import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure, orErrorPage } from '$lib/ui/errors.server';
import { hostnameActions } from '$lib/ui/hostnames.server';
import { loadVersionsAndSettings, rollbackFromForm, secretFromForm, varsFromForm } from '$lib/ui/versions.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const caller = serverCaller(event);
	const worker = await orErrorPage(caller.workers.get({ name: event.params.name }));
	return {
		worker,
		...(await orErrorPage(loadVersionsAndSettings(event, worker))),
		hostnames: await orErrorPage(caller.workers.hostnames.list({ name: worker.name })),
		// `?delete` shows the confirmation without JavaScript, `?rollback=<version>` the rollback's.
		confirmDelete: event.url.searchParams.has('delete'),
		confirmRollback: Number(event.url.searchParams.get('rollback')) || null
	};
};

export const actions: Actions = {
	...hostnameActions,
	delete: async (event) => {
		try {
			await serverCaller(event).workers.delete({ name: event.params.name });
		} catch (error) {
			return formFailure(error, 'delete Workers', {});
		}
		redirect(303, `/?deleted=${encodeURIComponent(event.params.name)}`);
	},
	rollback: rollbackFromForm,
	vars: varsFromForm,
	secret: secretFromForm
};
