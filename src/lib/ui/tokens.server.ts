// The token form actions, shared by a customer's own Tokens page and the operator's page of a customer
// (where `customerId` comes from the URL): create (the token is in this one answer, never again) and revoke.
import type { RequestEvent } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure } from './errors.server';

export function tokenActions(customerIdOf: (event: RequestEvent) => string | undefined) {
	return {
		createToken: async (event: RequestEvent) => {
			const label = String((await event.request.formData()).get('label') ?? '');
			try {
				const created = await serverCaller(event).tokens.create({ customerId: customerIdOf(event), label });
				return { created: { id: created.id, label: created.label, token: created.token } };
			} catch (error) {
				return formFailure(error, 'create tokens', { label });
			}
		},
		revokeToken: async (event: RequestEvent) => {
			const id = String((await event.request.formData()).get('id') ?? '');
			try {
				await serverCaller(event).tokens.revoke({ id });
				return { revoked: id };
			} catch (error) {
				return formFailure(error, 'revoke tokens', {});
			}
		}
	};
}
