import type { Handle } from '@sveltejs/kit';
import { interceptPlatformRequest } from '$lib/server/dispatch';
import { isCrossSiteWrite } from '$lib/server/csrf';
import { readSession } from '$lib/server/auth';
import { getPlatform } from '$lib/server/platform';
import { publishIntercept } from '$lib/server/fast-dispatch';
import '$lib/server/response-cache'; // dispatch requests skip SvelteKit's response cache

// src/worker.ts dispatches through this module's dispatcher once SvelteKit has loaded it.
publishIntercept(interceptPlatformRequest);

// User Workers (/user-workers/*) and the backends' internal endpoints are answered before SvelteKit
// routing; everything else is the web UI and the tRPC API, which get the CSRF check and the caller's session.
export const handle: Handle = async ({ event, resolve }) => {
	const env = event.platform?.env;
	const response = env && (await interceptPlatformRequest(event.request, event.url, env));
	if (response) return response;
	if (isCrossSiteWrite(event.request, event.url))
		return new Response('Cross-site requests may not change this platform', { status: 403 });
	event.locals.session = env
		? await readSession(event.request, getPlatform(env).config)
		: { openMode: false, authenticated: false };
	return resolve(event);
};
