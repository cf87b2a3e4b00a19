import type { Handle } from '@sveltejs/kit';
import { readSession } from '$lib/server/auth';
import { isCrossSiteWrite } from '$lib/server/csrf';
import { interceptPlatformRequest } from '$lib/server/dispatch';
import { platformErrorPage } from '$lib/server/pages';
import { platformOf } from '$lib/server/platform';
import { withPlatformSecurityHeaders } from '$lib/server/security-headers';

// Every SvelteKit request gets the platform (built by the composition root) and the caller's session in
// `locals`. Under `vite dev`, which has no src/worker.ts in front, user Workers and the backends' internal
// endpoints are answered here first; under `npm start` and on Cloudflare the entry has answered them.
export const handle: Handle = async ({ event, resolve }) => {
	const env = event.platform?.env;
	if (!env)
		return platformErrorPage(503, 'The platform is not configured', 'Start the app with `npm start` or `npm run dev`.');
	const platform = platformOf(env);
	const response = await interceptPlatformRequest(event.request, event.url, platform);
	if (response) return response;
	if (isCrossSiteWrite(event.request, event.url))
		return new Response('Cross-site requests may not change this platform', { status: 403 });
	event.locals.platform = platform;
	event.locals.session = await readSession(event.request, platform.config);
	return withPlatformSecurityHeaders(await resolve(event));
};
