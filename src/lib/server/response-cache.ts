// SvelteKit's Cloudflare worker (adapter-cloudflare) looks every request up in the Cache API (caches.default)
// before SvelteKit runs, and stores every response that carries Cache-Control. For /user-workers/* both are
// wrong: a user Worker's cacheable response would outlive a re-upload or a delete (and locally came back
// garbled), and the lookup was the largest single cost on the dispatch path (~30 % of the app isolate's CPU
// time under load, in a profile). The adapter has no switch for it, so the default cache ignores dispatch
// requests. This module runs once per isolate, when hooks.server.ts loads.
import { DISPATCH_PREFIX } from './dispatch';

function isDispatchRequest(request: RequestInfo | URL): boolean {
	const { pathname } = new URL(typeof request === 'string' || request instanceof URL ? request : request.url);
	return pathname.startsWith(DISPATCH_PREFIX) || pathname === DISPATCH_PREFIX.slice(0, -1);
}

/** Makes `cache` miss and skip storing for dispatch requests; other requests are served as before. */
export function bypassForDispatch(cache: Cache) {
	const { match, put } = cache;
	cache.match = (request, options) => (isDispatchRequest(request) ? Promise.resolve(undefined) : match.call(cache, request, options));
	cache.put = (request, response) => (isDispatchRequest(request) ? Promise.resolve() : put.call(cache, request, response));
}

// Not under `vite dev` (Node has no Cache API; SvelteKit's dev server does not cache either).
if (typeof caches !== 'undefined') bypassForDispatch((caches as unknown as { default: Cache }).default);
