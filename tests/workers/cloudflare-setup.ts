// A platform on the cloudflare backend for the workers tests: the fake Cloudflare API (globalSetup) and
// the stand-in dispatch namespace that runs its scripts through this workerd's Worker Loader.
import { inject } from 'vitest';
import { setup } from './helpers';
import { createStandInDispatcher } from './cloudflare-dispatcher';

export function cloudflareSetup(overrides: Partial<Env> = {}) {
	const api = inject('fakeCloudflareApi');
	const dispatcher = createStandInDispatcher(api.url);
	const vars: Partial<Env> = {
		PLATFORM_BACKEND: 'cloudflare',
		CLOUDFLARE_ACCOUNT_ID: api.accountId,
		CLOUDFLARE_API_TOKEN: api.apiToken,
		DISPATCH_NAMESPACE: api.namespace,
		CLOUDFLARE_API_BASE_URL: `${api.url}/client/v4`,
		DISPATCHER: dispatcher,
		...overrides
	};
	return { ...setup(vars), dispatcher, vars };
}
