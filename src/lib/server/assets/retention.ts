// Removes asset blobs no version references any more. It runs for an owner when one of its versions'
// manifests is finally deleted (after the version store's grace period, VersionStore.sweep), as a mark and
// sweep over that owner's namespace:
//   mark:  the hashes of every manifest of the owner's kept versions (D1 lists them) and of the manifests
//          still waiting out their grace period (retired_code);
//   sweep: the owner's blobs outside that set, older than an upload session (SESSION_TTL_SECONDS), so a
//          file uploaded for a session not yet completed stays. An owner with an upload session open is
//          left alone until a later sweep: its session may name a blob the mark did not see.
// Its cost is one KV list per 1000 of the owner's blobs (and of its client hashes, when blobs go) and one
// KV read per kept version of its Workers.
import { MANIFEST_KEY_PREFIX, manifestKey, ownerKey } from './manifest';
import { SESSION_TTL_SECONDS, type AssetStore } from './store';

export class AssetRetention {
	readonly #db: D1Database;
	readonly #store: AssetStore;

	constructor(db: D1Database, store: AssetStore) {
		this.#db = db;
		this.#store = store;
	}

	/** The owners (ownerKey) of the manifests behind `kvKeys` (keys the version store is about to delete). */
	async ownersOf(kvKeys: string[]): Promise<string[]> {
		const manifests = await Promise.all(
			kvKeys.filter((key) => key.startsWith(MANIFEST_KEY_PREFIX)).map((key) => this.#store.readManifestKey(key))
		);
		return [...new Set(manifests.flatMap((manifest) => (manifest ? [manifest.owner] : [])))];
	}

	/** Deletes `owner`'s unreferenced blobs (see above). Returns how many. */
	async sweep(owner: string, now = Date.now()): Promise<number> {
		if (await this.#store.hasOpenSession(owner)) return 0;
		const candidates: string[] = [];
		for await (const blob of this.#store.blobs(owner))
			if (blob.uploadedAt <= now - SESSION_TTL_SECONDS * 1000) candidates.push(blob.hash);
		if (candidates.length === 0) return 0;
		const live = await this.#liveHashes(owner);
		const unreferenced = candidates.filter((hash) => !live.has(hash));
		await this.#store.deleteBlobs(owner, unreferenced);
		// Client hashes (the Cloudflare-compatible API's) that named them name nothing now.
		if (unreferenced.length > 0) await this.#store.deleteAliasesOf(owner, new Set(unreferenced));
		return unreferenced.length;
	}

	async #liveHashes(owner: string): Promise<Set<string>> {
		// The owner's Workers: customer_id = the customer, or NULL (and no row, for Workers older than customers) for the operator.
		const customerId = owner === ownerKey(null) ? null : owner;
		const [kept, retired] = await this.#db.batch<{ script_id?: string; version?: number; kv_key?: string }>([
			this.#db
				.prepare(
					`SELECT v.script_id, v.version FROM worker_versions v JOIN worker_scripts s ON s.script_id = v.script_id
					 LEFT JOIN workers w ON w.name = s.name WHERE w.customer_id IS ?`
				)
				.bind(customerId),
			this.#db.prepare(`SELECT kv_key FROM retired_code WHERE kv_key LIKE ?`).bind(`${MANIFEST_KEY_PREFIX}%`)
		]);
		const keys = [
			...kept.results.map((row) => manifestKey(row.script_id!, row.version!)),
			...retired.results.map((row) => row.kv_key!)
		];
		const live = new Set<string>();
		for (let i = 0; i < keys.length; i += 50) {
			const manifests = await Promise.all(keys.slice(i, i + 50).map((key) => this.#store.readManifestKey(key)));
			for (const manifest of manifests)
				if (manifest?.owner === owner) for (const file of Object.values(manifest.files)) live.add(file.hash);
		}
		return live;
	}
}
