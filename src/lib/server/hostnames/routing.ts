// Which Worker a request's host names, decided from the host alone (no storage read): the platform's own
// host, a Worker's subdomain of it (`<name>.<PLATFORM_HOST>`), or another host that may be a customer's
// own domain attached to a Worker (looked up by the hostname service).

export type HostRoute =
	/** The platform itself: the web UI, the API, /user-workers/<name>/… */
	| { kind: 'platform' }
	/** `<name>.<PLATFORM_HOST>`: the Worker of that name, on its own origin. */
	| { kind: 'subdomain'; name: string }
	/** Any other host name: a custom hostname if one is attached, else the platform. */
	| { kind: 'custom'; hostname: string };

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * `hostname` is the request URL's (lowercase, no port). Addresses and `localhost` are always the platform:
 * they are how operators and tests reach it, and no custom hostname can be one.
 */
export function routeByHost(hostname: string, platformHostname: string | null): HostRoute {
	if (hostname === platformHostname || hostname === 'localhost' || IPV4.test(hostname) || hostname.startsWith('['))
		return { kind: 'platform' };
	if (platformHostname && hostname.endsWith(`.${platformHostname}`)) {
		const label = hostname.slice(0, -(platformHostname.length + 1));
		// One label only: `a.b.<platform host>` is no Worker's (names are single DNS labels).
		return label.includes('.') ? { kind: 'subdomain', name: '' } : { kind: 'subdomain', name: label };
	}
	return { kind: 'custom', hostname };
}

/** PLATFORM_HOST (`platform.example.com`, `localhost:8787`) without its port. */
export function hostnameOf(host: string): string {
	return host.toLowerCase().replace(/:\d+$/, '');
}
