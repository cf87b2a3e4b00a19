import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure, orErrorPage } from '$lib/ui/errors.server';
import { planFromForm } from '$lib/ui/plan-form.server';
import type { Actions, PageServerLoad } from './$types';

// The operator's customers: usage against each plan, and a form to add one.
export const load: PageServerLoad = async (event) => {
	const cursor = event.url.searchParams.get('cursor');
	const page = await orErrorPage(serverCaller(event).customers.list({ cursor, limit: 50 }), 'manage customers');
	return { ...page, defaultPlan: event.locals.platform.config.defaultPlan };
};

export const actions: Actions = {
	create: async (event) => {
		const form = await event.request.formData();
		const name = String(form.get('name') ?? '');
		let id: string;
		try {
			id = (await serverCaller(event).customers.create({ name, plan: planFromForm(form) })).id;
		} catch (error) {
			return formFailure(error, 'create customers', { name });
		}
		redirect(303, `/customers/${id}?created`);
	}
};
