// How a user Worker's fetch() leaves the local runner: the runner's UserOutbound (workerd) hands each
// request to the egress proxy in the supervisor process (scripts/egress-proxy.js, Node) over loopback.
// The proxy resolves the host name, refuses the request if any address it resolves to is refused
// (addresses.ts) and connects to the address it checked. Both sides import this module (Node through
// type stripping, hence the explicit extension below).
import { canonicalAddress, refusalFor, type Refusal } from './addresses.ts';

/** Headers of the hop between UserOutbound and the proxy; a user Worker's own headers with this prefix are dropped. */
export const EGRESS_HEADER_PREFIX = 'x-wfp-egress-';
export const EGRESS_HEADERS = {
	/** The runner secret, so that nothing else on this machine can use the proxy. */
	secret: `${EGRESS_HEADER_PREFIX}secret`,
	/** The URL the user Worker fetches. */
	url: `${EGRESS_HEADER_PREFIX}url`,
	/** Set on the proxy's response when the request failed at the network level: the URI-encoded reason. */
	error: `${EGRESS_HEADER_PREFIX}error`
} as const;

/** The 403 body a user Worker gets: the address, the rule, and the name that led there. */
export function refusalMessage(refusal: Refusal, hostname?: string): string {
	const via = hostname && canonicalAddress(hostname) === null ? `, which ${hostname} resolves to` : '';
	return `user Workers may not connect to ${refusal.address} (${refusal.rule})${via}; see SECURITY.md`;
}

export function refusalResponse(refusal: Refusal, hostname?: string): Response {
	return new Response(refusalMessage(refusal, hostname), { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** The URL's host as an address or name: without IPv6 brackets. */
export function hostOf(url: URL): string {
	return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Sends a user Worker's request through the egress proxy at `proxyUrl` and returns its answer as is
 * (redirects included: the Worker's own fetch() follows them, each hop coming back here). A literal IP
 * address that is refused is answered here without the hop. A network failure the proxy reports becomes
 * a rejected promise, as fetch() rejects without the proxy.
 */
export async function fetchThroughEgressProxy(request: Request, proxyUrl: string, secret: string): Promise<Response> {
	const url = new URL(request.url);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch() supports http: and https: URLs, not ${url.protocol}`);
	const literal = canonicalAddress(hostOf(url)) !== null ? refusalFor(hostOf(url)) : null;
	if (literal) return refusalResponse(literal);

	const headers = new Headers();
	for (const [name, value] of request.headers) if (!name.startsWith(EGRESS_HEADER_PREFIX)) headers.append(name, value);
	headers.set(EGRESS_HEADERS.url, url.href);
	headers.set(EGRESS_HEADERS.secret, secret);
	const response = await fetch(proxyUrl, { method: request.method, headers, body: request.body, redirect: 'manual' });
	const error = response.headers.get(EGRESS_HEADERS.error);
	if (error !== null) {
		await response.body?.cancel();
		throw new TypeError(decodeURIComponent(error));
	}
	return response;
}
