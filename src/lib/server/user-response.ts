// What a user Worker's response may carry on the platform's origin. User pages are served under the
// platform's own origin, so every response is put in a CSP sandbox (an opaque origin: no access to the
// platform's cookies, storage or same-origin API calls) and loses the headers that act on the origin.

/** The sandbox every user response gets; a Worker's own policy can only narrow it. */
export const USER_SANDBOX_FLAGS = ['allow-scripts', 'allow-forms', 'allow-popups', 'allow-modals'] as const;
const USER_SANDBOX = `sandbox ${USER_SANDBOX_FLAGS.join(' ')}`;

/**
 * Response headers a user Worker may not set: cookies would land on the platform's origin (its session
 * included), Clear-Site-Data would wipe the operator's session. Hop-by-hop headers describe one connection,
 * not the response, and are cleaned as a proxy must.
 */
const DROPPED_HEADERS = [
	'set-cookie',
	'clear-site-data',
	'connection',
	'keep-alive',
	'proxy-authenticate',
	'proxy-connection',
	'trailer',
	'transfer-encoding',
	'upgrade'
];

/**
 * The Worker's Content-Security-Policy with the platform's sandbox in each of its policies. A policy that
 * already has a `sandbox` directive keeps only the flags both allow, so the result is never looser than
 * either the Worker's policy or ours. (Browsers enforce every comma-separated policy.)
 */
export function mergeContentSecurityPolicy(workerPolicy: string | null): string {
	const policies = (workerPolicy ?? '')
		.split(',')
		.map((policy) => policy.trim())
		.filter(Boolean);
	if (!policies.length) return USER_SANDBOX;
	return policies
		.map((policy) => {
			const directives = policy
				.split(';')
				.map((directive) => directive.trim())
				.filter(Boolean);
			const sandbox = directives.find((directive) => /^sandbox(\s|$)/i.test(directive));
			if (!sandbox) return [...directives, USER_SANDBOX].join('; ');
			const theirs = new Set(sandbox.toLowerCase().split(/\s+/).slice(1));
			const both = USER_SANDBOX_FLAGS.filter((flag) => theirs.has(flag));
			return directives.map((directive) => (directive === sandbox ? ['sandbox', ...both].join(' ') : directive)).join('; ');
		})
		.join(', ');
}

/** The response as the platform serves it: same status and body, hardened headers. */
export function hardenUserResponse(response: Response): Response {
	// Built from the response itself so the runtime keeps what is not a header (a WebSocket).
	const hardened = new Response(response.body, response);
	const { headers } = hardened;
	// Headers named in Connection are hop-by-hop too.
	for (const name of response.headers.get('connection')?.split(',') ?? []) headers.delete(name.trim());
	for (const name of DROPPED_HEADERS) headers.delete(name);
	headers.set('content-security-policy', mergeContentSecurityPolicy(response.headers.get('content-security-policy')));
	return hardened;
}
