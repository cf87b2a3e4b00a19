// The inputs a form shows errors next to (the router's errorFormatter names the input in `data.field`).

export type FormField = 'name' | 'code' | 'compatibilityDate' | null;

/** The field a form shows an error next to; other inputs' errors show above the form. */
export function asFormField(field: unknown): FormField {
	return field === 'name' || field === 'code' || field === 'compatibilityDate' ? field : null;
}
