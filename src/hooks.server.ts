import type { Handle } from '@sveltejs/kit';
import { bearerToken } from '$lib/server/auth';
import { isCrossSiteWrite } from '$lib/server/csrf';
import { interceptPlatformRequest } from '$lib/server/dispatch';
import { platformErrorPage } from '$lib/server/pages';
import { platformOf } from '$lib/server/platform';
import { withPlatformSecurityHeaders } from '$lib/server/security-headers';
import { clientAddressOf, tooManyFailures } from '$lib/server/throttle';
import { CLOUDFLARE_API_PREFIX } from '$lib/server/cloudflare-api/envelope';
import { takesUploadToken } from '$lib/server/cloudflare-api/handler';

// Every SvelteKit request gets the platform (built by the composition root), the caller's session and
// client address in `locals`. Under `vite dev`, which has no src/worker.ts in front, user Workers and the
// backends' internal endpoints are answered here first; under `npm start` and on Cloudflare the entry has
// answered them. A client that sent too many wrong tokens is refused before any token is checked.
export const handle: Handle = async ({ event, resolve }) => {
	const env = event.platform?.env;
	if (!env)
		return platformErrorPage(503, 'The platform is not configured', 'Start the app with `npm start` or `npm run dev`.');
	const platform = platformOf(env);
	const { request, url } = event;
	const response = await interceptPlatformRequest(request, url, platform);
	if (response) return response;
	if (isCrossSiteWrite(request, url)) return new Response('Cross-site requests may not change this platform', { status: 403 });

	const client = clientAddressOf(request, platform.config.trustedClientIpHeader);
	// An asset bucket's bearer is its upload session's token, which the Cloudflare-compatible API checks itself.
	const assetBucket = url.pathname.startsWith(`${CLOUDFLARE_API_PREFIX}/`) && takesUploadToken(url.pathname.slice(CLOUDFLARE_API_PREFIX.length));
	const presentsToken = !assetBucket && (bearerToken(request.headers) !== null || (request.method === 'POST' && url.pathname === '/login'));
	const retryAfter = presentsToken ? platform.authFailures.retryAfterSeconds(client) : 0;
	if (retryAfter > 0) return tooManyFailures(retryAfter, url);

	event.locals.platform = platform;
	event.locals.client = client;
	event.locals.session = assetBucket ? platform.auth.tokenlessSession() : await platform.auth.session(request);
	if (event.locals.session.rejectedToken) platform.authFailures.recordFailure(client);
	return withPlatformSecurityHeaders(await resolve(event));
};
