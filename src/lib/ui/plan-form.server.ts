// Reads the plan fields of the customer forms: empty fields are left as they are (or the defaults).
import type { Plan } from '$lib/server/customers/service';

export const PLAN_FIELDS = ['maxWorkers', 'maxScriptBytes', 'maxAssetBytes', 'cpuMs', 'subRequests'] as const;

/** Whole numbers as given; a field that is not a number is passed on for the API to refuse by name. */
export function planFromForm(form: FormData): Partial<Plan> {
	const plan: Partial<Plan> = {};
	for (const field of PLAN_FIELDS) {
		const value = String(form.get(field) ?? '').trim();
		if (value !== '') plan[field] = Number(value);
	}
	return plan;
}
