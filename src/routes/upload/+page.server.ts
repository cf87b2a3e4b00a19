import { deployFromForm, type DeployFormState } from '$lib/ui/deploy.server';
import { STARTER_TEMPLATES } from '$lib/ui/templates';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({
	initial: { name: '', code: STARTER_TEMPLATES[0].code, compatibilityDate: '' } satisfies DeployFormState
});

export const actions: Actions = { default: deployFromForm };
