// The Worker page's hostname form actions: attach a customer's own domain, detach one. Their answers name
// their `section`, as the Versions and Settings sections' do (src/lib/ui/versions.server.ts).
import type { RequestEvent } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure } from './errors.server';

export const hostnameActions = {
	addHostname: async (event: RequestEvent<{ name: string }>) => {
		const hostname = String((await event.request.formData()).get('hostname') ?? '');
		try {
			const attached = await serverCaller(event).workers.hostnames.add({ name: event.params.name, hostname });
			return { section: 'hostnames' as const, done: `${attached.hostname} is attached.` };
		} catch (error) {
			return formFailure(error, 'attach hostnames', { section: 'hostnames' as const, hostnameInput: hostname });
		}
	},
	removeHostname: async (event: RequestEvent<{ name: string }>) => {
		const hostname = String((await event.request.formData()).get('hostname') ?? '');
		try {
			await serverCaller(event).workers.hostnames.remove({ hostname });
			return { section: 'hostnames' as const, done: `${hostname} is detached.` };
		} catch (error) {
			return formFailure(error, 'detach hostnames', { section: 'hostnames' as const });
		}
	}
};
