import { deployFromForm, type DeployFormState } from '$lib/ui/deploy.server';
import { DEFAULT_MAIN_MODULE } from '$lib/ui/project-files';
import { STARTER_TEMPLATES } from '$lib/ui/templates';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({
	initial: {
		name: '',
		files: { mainModule: DEFAULT_MAIN_MODULE, modules: { [DEFAULT_MAIN_MODULE]: STARTER_TEMPLATES[0].code } },
		compatibilityDate: ''
	} satisfies DeployFormState
});

export const actions: Actions = { default: deployFromForm };
