// The friendly-name -> worker mapping, in Workers KV (binding WORKER_MAPPINGS).
//
// One key per Worker, `worker:<name>`, whose value is the record and whose KV metadata is the same
// record, so a list page is a single KV list call with no per-key reads. A write of one key is atomic,
// so a record is never half-written.
import { InputError } from './errors';

export interface StoredWorker {
	name: string;
	/** Stable per name and independent of it: the script's name in the backend. */
	scriptId: string;
	sha256: string;
	size: number;
	compatibilityDate: string;
	createdAt: string;
	updatedAt: string;
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

type CacheEntry = { record: StoredWorker | null; expires: number };
// Keyed by namespace so that separate KV namespaces (tests, several environments) never share entries.
const caches = new WeakMap<KVNamespace, Map<string, CacheEntry>>();

export class WorkerRegistry {
	readonly #kv: KVNamespace;
	readonly #cache: Map<string, CacheEntry>;

	constructor(kv: KVNamespace) {
		this.#kv = kv;
		let cache = caches.get(kv);
		if (!cache) caches.set(kv, (cache = new Map()));
		this.#cache = cache;
	}

	/** Always reads KV: for the control plane, where a stale answer would mislead. */
	async get(name: string): Promise<StoredWorker | null> {
		const record = await this.#kv.get<StoredWorker>(PREFIX + name, 'json');
		this.#remember(name, record);
		return record;
	}

	/** Reads through the in-isolate cache: for the dispatch hot path. */
	async lookup(name: string): Promise<StoredWorker | null> {
		const entry = this.#cache.get(name);
		if (entry && entry.expires > Date.now()) return entry.record;
		return this.get(name);
	}

	async put(record: StoredWorker): Promise<void> {
		await this.#kv.put(PREFIX + record.name, JSON.stringify(record), { metadata: record });
		this.#remember(record.name, record);
	}

	async delete(name: string): Promise<void> {
		await this.#kv.delete(PREFIX + name);
		this.#remember(name, null);
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

	#remember(name: string, record: StoredWorker | null) {
		this.#cache.set(name, { record, expires: Date.now() + RECORD_CACHE_TTL_MS });
	}
}
