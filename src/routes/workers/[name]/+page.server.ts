import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure, orErrorPage } from '$lib/ui/errors.server';
import { hostnameActions } from '$lib/ui/hostnames.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const caller = serverCaller(event);
	const worker = await orErrorPage(caller.workers.get({ name: event.params.name }));
	return {
		worker,
		hostnames: await orErrorPage(caller.workers.hostnames.list({ name: worker.name })),
		// `?delete` shows the confirmation without JavaScript.
		confirmDelete: event.url.searchParams.has('delete')
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
	}
};
