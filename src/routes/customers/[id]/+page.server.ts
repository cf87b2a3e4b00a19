import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure, orErrorPage } from '$lib/ui/errors.server';
import { planFromForm } from '$lib/ui/plan-form.server';
import { tokenActions } from '$lib/ui/tokens.server';
import type { Actions, PageServerLoad } from './$types';

// One customer, for the operator: its plan and usage, its Workers, its tokens; rename, re-plan, delete.
export const load: PageServerLoad = async (event) => {
	const caller = serverCaller(event);
	const customerId = event.params.id;
	const [customer, tokens, workers] = await Promise.all([
		orErrorPage(caller.customers.get({ id: customerId }), 'manage customers'),
		orErrorPage(caller.tokens.list({ customerId }), 'manage customers'),
		orErrorPage(caller.workers.list({ customerId, limit: 100 }), 'manage customers')
	]);
	return { customer, tokens, workers: workers.workers, moreWorkers: workers.cursor !== null };
};

export const actions: Actions = {
	update: async (event) => {
		const form = await event.request.formData();
		const name = String(form.get('name') ?? '');
		try {
			await serverCaller(event).customers.update({ id: event.params.id, name, plan: planFromForm(form) });
			return { updated: true };
		} catch (error) {
			return formFailure(error, 'change customers', { name });
		}
	},
	delete: async (event) => {
		try {
			await serverCaller(event).customers.delete({ id: event.params.id });
		} catch (error) {
			return formFailure(error, 'delete customers', {});
		}
		redirect(303, '/customers');
	},
	...tokenActions((event) => event.params.id)
};
