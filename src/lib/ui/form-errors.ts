// The inputs a form shows errors next to (the router's errorFormatter names the input in `data.field`).

export type FormField = 'name' | 'code' | 'compatibilityDate' | null;

/** The field a form shows an error next to; other inputs' errors show above the form. */
export function asFormField(field: unknown): FormField {
	if (field === 'name' || field === 'code' || field === 'compatibilityDate') return field;
	// The modules form's inputs belong with the code: the editor and its file tree.
	if (field === 'mainModule' || field === 'modules' || field === 'files') return 'code';
	if (typeof field === 'string' && field.startsWith('modules.')) return 'code';
	return null;
}
