import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure, orErrorPage } from '$lib/ui/errors.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({
	worker: await orErrorPage(serverCaller(event).workers.get({ name: event.params.name })),
	// `?delete` shows the confirmation without JavaScript.
	confirmDelete: event.url.searchParams.has('delete')
});

export const actions: Actions = {
	delete: async (event) => {
		try {
			await serverCaller(event).workers.delete({ name: event.params.name });
		} catch (error) {
			return formFailure(error, 'delete Workers', {});
		}
		redirect(303, `/?deleted=${encodeURIComponent(event.params.name)}`);
	}
};
