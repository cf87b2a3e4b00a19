import { serverCaller } from '$lib/server/caller';
import { orErrorPage } from '$lib/ui/errors.server';
import type { DeployFormState } from '$lib/ui/deploy.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const worker = await orErrorPage(serverCaller(event).workers.get({ name: event.params.name }));
	return {
		initial: { name: worker.name, code: worker.code, compatibilityDate: worker.compatibilityDate } satisfies DeployFormState
	};
};
