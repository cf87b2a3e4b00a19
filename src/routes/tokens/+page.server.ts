import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { orErrorPage } from '$lib/ui/errors.server';
import { tokenActions } from '$lib/ui/tokens.server';
import type { Actions, PageServerLoad } from './$types';

// A customer's own tokens (the operator manages each customer's on /customers/<id>).
export const load: PageServerLoad = async (event) => {
	if (event.locals.session.principal.kind === 'operator') redirect(303, '/customers');
	return { tokens: await orErrorPage(serverCaller(event).tokens.list(), 'manage tokens') };
};

export const actions: Actions = tokenActions(() => undefined);
