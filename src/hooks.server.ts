import type { Handle } from '@sveltejs/kit';
import { interceptPlatformRequest } from '$lib/server/dispatch';
import { isCrossSiteWrite } from '$lib/server/csrf';
import '$lib/server/response-cache'; // dispatch requests skip SvelteKit's response cache

// User Workers (/user-workers/*) and the backends' internal endpoints are answered before SvelteKit
// routing; everything else is the web UI and the tRPC API.
export const handle: Handle = async ({ event, resolve }) => {
	const env = event.platform?.env;
	const response = env && (await interceptPlatformRequest(event.request, event.url, env));
	if (response) return response;
	// Authentication proper arrives with PLATFORM_ADMIN_TOKEN support; until then the server runs open.
	const openMode = !env?.PLATFORM_ADMIN_TOKEN;
	event.locals.session = { openMode, authenticated: openMode };
	if (isCrossSiteWrite(event.request, event.url))
		return new Response('Cross-site requests may not change this platform', { status: 403 });
	return resolve(event);
};
