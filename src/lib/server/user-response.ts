// What a user Worker's response may carry on the platform's origin. User pages are served under the
// platform's own origin, so every response is put in a CSP sandbox (an opaque origin: no access to the
// platform's cookies, storage or same-origin API calls) and loses the headers that act on the origin.
import { INTERNAL_HEADER_PREFIX } from './backend';

/** The sandbox every user response gets; a Worker's own policy can only narrow it. */
export const USER_SANDBOX_FLAGS = ['allow-scripts', 'allow-forms', 'allow-popups', 'allow-modals'] as const;
const USER_SANDBOX = `sandbox ${USER_SANDBOX_FLAGS.join(' ')}`;

/** Hop-by-hop headers describe one connection, not the response: cleaned as a proxy must, on any origin. */
const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade'];

/**
 * Response headers a user Worker may not set. A user Worker owns the responses it sends, not the origin
 * they are served on, so the rule is: a header whose effect reaches beyond this one response (the whole
 * origin, later visits, the connection) is dropped; a header that describes this response is kept.
 * SECURITY.md lists these with their reasons.
 */
export const DROPPED_HEADERS = [
	// Cookies would land on the platform's origin (its session included); Clear-Site-Data would wipe the
	// operator's session and storage.
	'set-cookie',
	'set-cookie2',
	'clear-site-data',
	// Act on the whole origin for a time: error reports and their collectors (NEL, Report-To,
	// Reporting-Endpoints), other servers for the origin (Alt-Svc), https only (HSTS), certificate pins,
	// client hints the browser sends to every page of the origin, origin-keyed agent clusters, and the scope
	// a service worker may claim.
	'nel',
	'report-to',
	'reporting-endpoints',
	'alt-svc',
	'strict-transport-security',
	'expect-ct',
	'public-key-pins',
	'public-key-pins-report-only',
	'accept-ch',
	'accept-ch-lifetime',
	'critical-ch',
	'origin-agent-cluster',
	'service-worker-allowed',
	...HOP_BY_HOP_HEADERS
];

const DROPPED_HEADER_SET: ReadonlySet<string> = new Set(DROPPED_HEADERS);
const HOP_BY_HOP_HEADER_SET: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS);

/**
 * The response without the headers that carry the platform's own instructions between its processes
 * (`x-wfp-*`, such as the runner's failure report): only the platform sets them, never a user Worker.
 */
export function withoutInternalHeaders(response: Response): Response {
	const internal = [...response.headers.keys()].filter((name) => name.startsWith(INTERNAL_HEADER_PREFIX));
	if (!internal.length) return response;
	// Built from the response itself so the runtime keeps what is not a header (a WebSocket).
	const cleaned = new Response(response.body, response);
	for (const name of internal) cleaned.headers.delete(name);
	return cleaned;
}

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

/**
 * The response as the platform serves it: same status and body, hardened headers. On the platform's
 * origin (the /user-workers/ path form) it is sandboxed and loses every header in DROPPED_HEADERS. On the
 * Worker's own origin (its subdomain or a custom hostname) no platform credential is in scope, so its
 * cookies, its CSP and its origin-wide headers are its own; only hop-by-hop and internal headers go.
 */
export function hardenUserResponse(response: Response, { ownOrigin = false } = {}): Response {
	// Built from the response itself so the runtime keeps what is not a header (a WebSocket).
	const hardened = new Response(response.body, response);
	const { headers } = hardened;
	const dropped = ownOrigin ? HOP_BY_HOP_HEADER_SET : DROPPED_HEADER_SET;
	// Headers named in Connection are hop-by-hop too.
	const connection = headers.get('connection');
	const named = connection === null ? null : new Set(connection.split(',').map((name) => name.trim().toLowerCase()));
	// One pass over the headers the response has (a few), rather than a delete per name in the lists (dozens):
	// this runs on every dispatched request.
	const doomed = [...headers.keys()].filter((name) => dropped.has(name) || name.startsWith(INTERNAL_HEADER_PREFIX) || named?.has(name));
	for (const name of doomed) headers.delete(name);
	if (!ownOrigin) headers.set('content-security-policy', mergeContentSecurityPolicy(response.headers.get('content-security-policy')));
	return hardened;
}
