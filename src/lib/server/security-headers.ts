// Headers on every response of the platform's own routes (pages, the API, sign-in), never on a user
// Worker's (src/lib/server/user-response.ts rules those). Pages rendered by SvelteKit carry the UI's
// Content-Security-Policy from `kit.csp` in svelte.config.js, with a nonce for SvelteKit's inline script.

/** For responses that are not SvelteKit pages (JSON, redirects, plain text): they load nothing. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const PLATFORM_SECURITY_HEADERS = {
	// No other site may frame the platform's pages (clickjacking of Delete); X-Frame-Options for browsers
	// that predate frame-ancestors.
	'x-frame-options': 'DENY',
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'strict-origin-when-cross-origin'
} as const;

/** `response` with the platform's security headers; a page's own Content-Security-Policy is kept. */
export function withPlatformSecurityHeaders(response: Response): Response {
	let secured = response;
	try {
		secured.headers.set('x-content-type-options', 'nosniff');
	} catch {
		// Immutable headers (a response passed through from fetch): copy it.
		secured = new Response(response.body, response);
	}
	for (const [name, value] of Object.entries(PLATFORM_SECURITY_HEADERS)) secured.headers.set(name, value);
	if (!secured.headers.has('content-security-policy')) secured.headers.set('content-security-policy', NON_PAGE_CSP);
	return secured;
}
