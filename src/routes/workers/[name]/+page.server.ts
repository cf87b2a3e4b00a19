import { fail, redirect } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { serverCaller } from '$lib/server/caller';
import { orErrorPage } from '$lib/ui/load-errors.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({
	worker: await orErrorPage(serverCaller(event).workers.get({ name: event.params.name })),
	// `?delete` shows the confirmation without JavaScript.
	confirmDelete: event.url.searchParams.has('delete')
});

export const actions: Actions = {
	// The no-JavaScript delete (the confirmation form posts here); with JavaScript the page calls the API.
	delete: async (event) => {
		try {
			await serverCaller(event).workers.delete({ name: event.params.name });
		} catch (error) {
			if (error instanceof TRPCError && (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN'))
				return fail(401, { deleteError: 'Sign in to delete Workers.' });
			if (error instanceof TRPCError && error.code === 'NOT_FOUND') return fail(404, { deleteError: error.message });
			throw error;
		}
		redirect(303, `/?deleted=${encodeURIComponent(event.params.name)}`);
	}
};
