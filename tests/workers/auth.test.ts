import { describe, expect, it } from 'vitest';
import { NO_TOKEN_ON_CLOUDFLARE_MESSAGE, UNAUTHENTICATED_MESSAGE } from '$lib/server/auth';
import type { WorkerBackend } from '$lib/server/backend';
import { ANONYMOUS } from '$lib/server/principal';
import { hello, setup, trpcError, useEmptyKv } from './helpers';

describe('the router needs a caller for everything', () => {
	useEmptyKv();

	it('refuses anonymous uploads, deletes, lists and reads, and changes nothing', async () => {
		const { caller } = setup({ PLATFORM_ADMIN_TOKEN: 'secret' });
		await caller.workers.upload({ name: 'kept', code: hello() });

		const anonymous = setup({ PLATFORM_ADMIN_TOKEN: 'secret' }, undefined, ANONYMOUS).caller;
		expect(await trpcError(() => anonymous.workers.upload({ name: 'new', code: hello() }))).toEqual({
			code: 'UNAUTHORIZED',
			message: UNAUTHENTICATED_MESSAGE
		});
		expect((await trpcError(() => anonymous.workers.delete({ name: 'kept' }))).code).toBe('UNAUTHORIZED');
		expect((await trpcError(() => anonymous.workers.list())).code).toBe('UNAUTHORIZED');
		expect((await trpcError(() => anonymous.workers.get({ name: 'kept' }))).code).toBe('UNAUTHORIZED');
		expect((await trpcError(() => anonymous.customers.list())).code).toBe('UNAUTHORIZED');
		expect((await caller.workers.get({ name: 'kept' })).code).toBe(hello());
	});

	it('tells the operator of a cloudflare platform without a token to set one', async () => {
		const { caller } = setup(
			{ PLATFORM_BACKEND: 'cloudflare', CLOUDFLARE_ACCOUNT_ID: 'a', CLOUDFLARE_API_TOKEN: 'b', DISPATCH_NAMESPACE: 'c' },
			// The refusal comes before any backend call.
			new Proxy({} as WorkerBackend, {
				get: () => () => {
					throw new Error('the backend must not be reached');
				}
			}),
			ANONYMOUS
		);
		const { code, message } = await trpcError(() => caller.workers.upload({ name: 'x', code: hello() }));
		expect(code).toBe('UNAUTHORIZED');
		expect(message).toBe(NO_TOKEN_ON_CLOUDFLARE_MESSAGE);
		expect(message).toContain('wrangler secret put PLATFORM_ADMIN_TOKEN');
	});
});
