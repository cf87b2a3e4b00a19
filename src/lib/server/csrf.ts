// Cross-site request forgery protection for the platform's own routes (UI form actions and the tRPC
// API). SvelteKit's built-in check is switched off (svelte.config.js) because it would also block
// cross-site form posts to user Workers, and because it lets through cross-site `fetch` writes with a
// JSON body; this one refuses every state-changing request that a browser marks as coming from
// another site. Clients that are not browsers (the CLI, curl) send no Origin and are allowed.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossSiteWrite(request: Request, url: URL): boolean {
	if (SAFE_METHODS.has(request.method)) return false;
	const origin = request.headers.get('origin');
	// Sandboxed pages (user Workers) send "Origin: null", which never equals ours.
	if (origin !== null) return origin !== url.origin;
	const site = request.headers.get('sec-fetch-site');
	return site === 'cross-site' || site === 'same-site';
}
