// Live tails: the open `workers.tail` streams of this isolate, and the wake-up that feeds them as entries
// are stored. A stream reads its Worker's entries after its cursor from the store (the one source of
// truth, whichever isolate stored them), then waits: until this isolate stores entries of that Worker
// (`entriesStored`, called by the log receiver right after its write), or at most LIVE_TAIL_POLL_MS, so
// entries stored by another isolate (several app isolates on Cloudflare) still arrive within that time.
import { QuotaError } from '../errors';

/** How long one stream lasts before the client reconnects (picking up after its last entry). */
export const LIVE_TAIL_MAX_MS = 5 * 60 * 1000;

/** How long a stream waits for a wake-up before it reads the store anyway. */
export const LIVE_TAIL_POLL_MS = 1000;

export interface LiveTailLimits {
	/** Open streams per Worker (script id). */
	perWorker: number;
	/** Open streams per caller (a customer, or the operator). */
	perCaller: number;
	/** Open streams in this isolate. */
	total: number;
}

export const LIVE_TAIL_LIMITS: LiveTailLimits = { perWorker: 10, perCaller: 20, total: 500 };

/** One open stream: `wait` resolves when its Worker has new entries in this isolate, or after `ms`. */
export interface LiveTail {
	wait(ms: number, signal?: AbortSignal): Promise<void>;
	close(): void;
}

interface Waiter {
	scriptId: string;
	caller: string;
	wake: (() => void) | null;
	/** When the stream's place is freed even if it never closed (its request was torn down mid-wait). */
	expiresAt: number;
}

/**
 * The open live tails of this isolate (at most `limits.total`, each counted against its Worker and its
 * caller), with the function that wakes those of a Worker. Owned by the platform (one per isolate).
 */
export class LiveTailHub {
	readonly #open = new Set<Waiter>();
	constructor(
		readonly limits: LiveTailLimits = LIVE_TAIL_LIMITS,
		/** How long a stream holds its place at most: a stream's lifetime and a little more. */
		readonly leaseMs: number = LIVE_TAIL_MAX_MS + 60_000
	) {}

	get size(): number {
		return this.#open.size;
	}

	/** Opens a stream of `scriptId` for `caller`, or throws a QuotaError naming the bound it would pass. */
	open(scriptId: string, caller: string, now = Date.now()): LiveTail {
		let ofWorker = 0;
		let ofCaller = 0;
		for (const waiter of this.#open) {
			if (waiter.expiresAt <= now) {
				this.#open.delete(waiter);
				continue;
			}
			if (waiter.scriptId === scriptId) ofWorker++;
			if (waiter.caller === caller) ofCaller++;
		}
		if (this.#open.size >= this.limits.total)
			throw new QuotaError(`the platform has ${this.limits.total} live tails open, its most: try again later`);
		if (ofWorker >= this.limits.perWorker)
			throw new QuotaError(`this Worker has ${this.limits.perWorker} live tails open, its most: close one first`);
		if (ofCaller >= this.limits.perCaller)
			throw new QuotaError(`you have ${this.limits.perCaller} live tails open, the most one caller may: close one first`);
		const waiter: Waiter = { scriptId, caller, wake: null, expiresAt: now + this.leaseMs };
		this.#open.add(waiter);
		return {
			wait: (ms, signal) =>
				new Promise<void>((resolve) => {
					const done = () => {
						clearTimeout(timer);
						signal?.removeEventListener('abort', done);
						waiter.wake = null;
						resolve();
					};
					const timer = setTimeout(done, ms);
					signal?.addEventListener('abort', done);
					waiter.wake = done;
				}),
			close: () => {
				waiter.wake?.();
				this.#open.delete(waiter);
			}
		};
	}

	/** Wakes the streams of these Workers: entries of theirs were just stored. */
	entriesStored(scriptIds: Iterable<string>): void {
		const stored = new Set(scriptIds);
		for (const waiter of this.#open) if (stored.has(waiter.scriptId)) waiter.wake?.();
	}
}
