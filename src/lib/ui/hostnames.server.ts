// The Worker page's hostname form actions: attach a customer's own domain, detach one.
import type { RequestEvent } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure } from './errors.server';

export const hostnameActions = {
	addHostname: async (event: RequestEvent<{ name: string }>) => {
		const hostname = String((await event.request.formData()).get('hostname') ?? '');
		try {
			const attached = await serverCaller(event).workers.hostnames.add({ name: event.params.name, hostname });
			return { hostnameAdded: attached.hostname };
		} catch (error) {
			return formFailure(error, 'attach hostnames', { hostnameInput: hostname, hostnameProblem: true });
		}
	},
	removeHostname: async (event: RequestEvent<{ name: string }>) => {
		const hostname = String((await event.request.formData()).get('hostname') ?? '');
		try {
			await serverCaller(event).workers.hostnames.remove({ hostname });
			return { hostnameRemoved: hostname };
		} catch (error) {
			return formFailure(error, 'detach hostnames', { hostnameProblem: true });
		}
	}
};
