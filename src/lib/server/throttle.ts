// Slows down token guessing: failed authentications are counted per client address in a fixed window,
// and a client over the limit is refused until its window ends. SECURITY.md explains what it is for.
import { CLOUDFLARE_API_PREFIX, CODES, failure } from './cloudflare-api/envelope';

export interface ThrottleOptions {
	/** Failures a client may have per window before it is refused. */
	maxFailures: number;
	windowMs: number;
	/** How many client addresses are remembered; the least recently failing are forgotten first. */
	maxClients: number;
}

export const THROTTLE_DEFAULTS: ThrottleOptions = { maxFailures: 10, windowMs: 60_000, maxClients: 10_000 };

/**
 * Failed authentications per client address, in this isolate: at most `maxClients` addresses (least
 * recently failing dropped first), each entry forgotten once its window has passed.
 */
export class AuthFailureThrottle {
	readonly #failures = new Map<string, { count: number; windowEnds: number }>();

	constructor(readonly options: ThrottleOptions = THROTTLE_DEFAULTS) {}

	get size(): number {
		return this.#failures.size;
	}

	/** Seconds until `client` may try again, or 0 when it may try now. */
	retryAfterSeconds(client: string, now = Date.now()): number {
		const entry = this.#failures.get(client);
		if (!entry) return 0;
		if (entry.windowEnds <= now) {
			this.#failures.delete(client);
			return 0;
		}
		return entry.count >= this.options.maxFailures ? Math.ceil((entry.windowEnds - now) / 1000) : 0;
	}

	/** Counts a failure; the one that locks the client out is logged. */
	recordFailure(client: string, now = Date.now()): void {
		const entry = this.#failures.get(client);
		this.#failures.delete(client);
		const fresh = !entry || entry.windowEnds <= now;
		const next = fresh ? { count: 1, windowEnds: now + this.options.windowMs } : { ...entry, count: entry.count + 1 };
		this.#failures.set(client, next);
		if (this.#failures.size > this.options.maxClients) this.#failures.delete(this.#failures.keys().next().value!);
		if (next.count === this.options.maxFailures)
			console.warn(`auth: ${client} is locked out until ${new Date(next.windowEnds).toISOString()} after ${next.count} wrong tokens`);
	}
}

/**
 * The address failures are counted under: the trusted header's value (TRUSTED_CLIENT_IP_HEADER, e.g.
 * CF-Connecting-IP on Cloudflare, where no client can set it), else one shared key, since a header any
 * client can send would let a guesser reset its count with every request.
 */
export function clientAddressOf(request: Request, trustedHeader: string | null): string {
	return (trustedHeader && request.headers.get(trustedHeader)?.trim()) || 'every client (no TRUSTED_CLIENT_IP_HEADER)';
}

/** The refusal for a locked-out client: 429 with Retry-After, as JSON for the APIs and text elsewhere. */
export function tooManyFailures(retryAfterSeconds: number, url: URL): Response {
	const message = `too many wrong tokens from this address: try again in ${retryAfterSeconds} s`;
	const headers = { 'retry-after': String(retryAfterSeconds), 'cache-control': 'no-store' };
	if (url.pathname.startsWith(`${CLOUDFLARE_API_PREFIX}/`)) {
		const refusal = failure(429, [{ code: CODES.slowDown, message }]);
		refusal.headers.set('retry-after', headers['retry-after']);
		return refusal;
	}
	if (!url.pathname.startsWith('/api/trpc')) return new Response(message, { status: 429, headers });
	// tRPC's error shape (an array for a batch), so the typed client reports the message.
	const error = { error: { message, code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 } } };
	const calls = url.searchParams.get('batch') === '1' ? url.pathname.slice('/api/trpc/'.length).split(',').length : 0;
	return Response.json(calls ? Array.from({ length: calls }, () => error) : error, { status: 429, headers });
}
