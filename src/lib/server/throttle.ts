// Slows down token guessing: failed authentications are counted per client address in a fixed window,
// and a client over the limit is refused until its window ends. SECURITY.md explains what it is for.

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

	/** Counts a failure; returns true when this one locks the client out. */
	recordFailure(client: string, now = Date.now()): boolean {
		const entry = this.#failures.get(client);
		this.#failures.delete(client);
		const fresh = !entry || entry.windowEnds <= now;
		const next = fresh ? { count: 1, windowEnds: now + this.options.windowMs } : { ...entry, count: entry.count + 1 };
		this.#failures.set(client, next);
		if (this.#failures.size > this.options.maxClients) this.#failures.delete(this.#failures.keys().next().value!);
		return next.count === this.options.maxFailures;
	}
}
