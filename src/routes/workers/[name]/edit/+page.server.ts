import { serverCaller } from '$lib/server/caller';
import { orErrorPage } from '$lib/ui/errors.server';
import type { DeployFormState } from '$lib/ui/deploy.server';
import { filesOf } from '$lib/ui/project-files';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const worker = await orErrorPage(serverCaller(event).workers.get({ name: event.params.name }));
	return {
		// All files of the serving version, the main module marked.
		initial: { name: worker.name, files: filesOf(worker), compatibilityDate: worker.compatibilityDate } satisfies DeployFormState
	};
};
