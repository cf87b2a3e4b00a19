// The friendly-name -> worker mapping, in Workers KV (binding WORKER_MAPPINGS).
//
// One key per Worker, `worker:<name>`, whose value is the record and whose KV metadata is the same
// record, so a list page is a single KV list call with no per-key reads. A write of one key is atomic,
// so a record is never half-written.
import { InputError } from './errors';
import { BoundedTtlCache } from './ttl-cache';

export interface WorkerLimits {
	cpuMs: number;
	subRequests: number;
}

export interface StoredWorker {
	name: string;
	/** Stable per name and independent of it: the script's name in the backend. */
	scriptId: string;
	/** The serving version (src/lib/server/versions/); sha256, size and compatibilityDate are its. */
	version: number;
	sha256: string;
	size: number;
	compatibilityDate: string;
	/** Fingerprint of the vars and secrets the Worker runs with. */
	settings: string;
	/** The deployment that made `version` serve: a record never replaces one with a higher number. */
	deployment: number;
	createdAt: string;
	updatedAt: string;
	/** The customer that owns it; null (or absent, for records older than customers) is the operator. */
	customerId?: string | null;
	/** The owner's per-request limits, so dispatch needs no other read; absent: the platform's defaults. */
	limits?: WorkerLimits;
	/** The serving version has static assets (its manifest: src/lib/server/assets/); absent: none. */
	assets?: boolean;
}

export interface WorkerPage {
	workers: StoredWorker[];
	cursor: string | null;
}

const PREFIX = 'worker:';
export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 1000; // KV's own cap per list call

/** How long the dispatcher trusts a cached record. Writes through this isolate update it at once. */
export const RECORD_CACHE_TTL_MS = 5_000;
/** How many names one isolate remembers; the least recently used are forgotten first. */
export const RECORD_CACHE_MAX_ENTRIES = 10_000;

/**
 * The records this isolate's dispatcher read recently (bounded, least recently used dropped first). Only
 * Workers that exist are remembered, so an upload in another isolate is served here on its first request
 * rather than after a cached "no such Worker" expires.
 */
export class RecordCache extends BoundedTtlCache<StoredWorker> {
	constructor(maxEntries = RECORD_CACHE_MAX_ENTRIES, ttlMs = RECORD_CACHE_TTL_MS) {
		super(maxEntries, ttlMs);
	}

	/** Remembers a record; null (no such Worker) forgets the name instead. */
	remember(name: string, record: StoredWorker | null, now = Date.now()): void {
		if (record) this.set(name, record, now);
		else this.delete(name);
	}
}

export class WorkerRegistry {
	readonly #kv: KVNamespace;
	readonly #cache: RecordCache;

	/** `cache` is the isolate's (the composition root owns it), so every request's registry shares it. */
	constructor(kv: KVNamespace, cache: RecordCache = new RecordCache()) {
		this.#kv = kv;
		this.#cache = cache;
	}

	/** Always reads KV: for the control plane, where a stale answer would mislead. */
	async get(name: string): Promise<StoredWorker | null> {
		const record = await this.#kv.get<StoredWorker>(PREFIX + name, 'json');
		this.#cache.remember(name, record);
		return record;
	}

	/** Reads through the in-isolate cache: for the dispatch hot path. */
	async lookup(name: string): Promise<StoredWorker | null> {
		return this.#cache.get(name) ?? this.get(name);
	}

	async put(record: StoredWorker): Promise<void> {
		await this.#kv.put(PREFIX + record.name, JSON.stringify(record), { metadata: record });
		this.#cache.remember(record.name, record);
	}

	async delete(name: string): Promise<void> {
		await this.#kv.delete(PREFIX + name);
		this.#cache.remember(name, null);
	}

	async list({ cursor, limit = LIST_LIMIT_DEFAULT }: { cursor?: string; limit?: number } = {}): Promise<WorkerPage> {
		let page: KVNamespaceListResult<StoredWorker>;
		try {
			page = await this.#kv.list<StoredWorker>({ prefix: PREFIX, cursor: cursor || undefined, limit });
		} catch {
			throw new InputError('cursor', 'cursor is not valid (it may have expired); list again from the first page');
		}
		return {
			workers: page.keys.flatMap((key) => (key.metadata ? [key.metadata] : [])),
			cursor: page.list_complete ? null : page.cursor
		};
	}
}
