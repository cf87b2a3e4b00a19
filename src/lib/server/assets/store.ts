// Where static assets live in KV (WORKER_MAPPINGS, keys under `assets:`, see manifest.ts): the blobs,
// content-addressed per owner; the upload sessions (expire after SESSION_TTL_SECONDS); and the reading side
// of the versions' manifests, which the version store writes and retires with the version's code.
import type { BoundedTtlCache } from '../ttl-cache';
import {
	aliasKey,
	aliasPrefix,
	blobKey,
	blobPrefix,
	manifestKey,
	sessionKey,
	sessionPrefix,
	type AssetManifest,
	type DeclaredManifest,
	type HashKind
} from './manifest';

/** An upload in progress: who started it, for which Worker and owner, and what it declared. */
export interface UploadSession {
	/** The Worker's name. */
	name: string;
	/** The blob namespace (ownerKey) the files go to. */
	owner: string;
	/**
	 * describePrincipal of the caller that started it: only the same caller may upload to it (tRPC) or
	 * complete it; a client-hash session's buckets also go to whoever holds its upload token.
	 */
	caller: string;
	manifest: DeclaredManifest;
	/** What the manifest's hashes are: SHA-256 of the bytes (absent), or the client's own names (the Cloudflare-compatible API). */
	hashes?: HashKind;
}

interface BlobMetadata {
	size: number;
	/** ms since the epoch: a blob younger than an upload session may belong to one not completed yet. */
	uploadedAt: number;
}

/** How long an upload session stays usable (Cloudflare's upload and completion tokens last an hour). */
export const SESSION_TTL_SECONDS = 3600;

/**
 * How many manifests one isolate keeps parsed for the dispatcher, and for how long. A manifest never
 * changes (it belongs to an immutable version); the largest are about 1.2 MB (MAX_ASSET_FILES paths), so the
 * cache holds at most about 120 MB in the worst case and a few hundred KB for typical sites.
 */
export const MANIFEST_CACHE_MAX_ENTRIES = 100;
export const MANIFEST_CACHE_TTL_MS = 60_000;

export class AssetStore {
	readonly #kv: KVNamespace;
	readonly #manifests: BoundedTtlCache<AssetManifest | null>;

	/** `manifests`: the isolate's manifest cache (the composition root owns it). */
	constructor(kv: KVNamespace, manifests: BoundedTtlCache<AssetManifest | null>) {
		this.#kv = kv;
		this.#manifests = manifests;
	}

	/** The hashes among `hashes` that `owner`'s namespace lacks (one KV list per 1000 blobs it holds). */
	async missing(owner: string, hashes: Iterable<string>): Promise<string[]> {
		const held = new Set<string>();
		const prefix = blobPrefix(owner);
		for (let cursor: string | undefined; ; ) {
			const page = await this.#kv.list({ prefix, cursor });
			for (const key of page.keys) held.add(key.name.slice(prefix.length));
			if (page.list_complete) break;
			cursor = page.cursor;
		}
		return [...new Set(hashes)].filter((hash) => !held.has(hash));
	}

	async startSession(session: UploadSession): Promise<string> {
		const id = `${session.owner}:${crypto.randomUUID()}`;
		await this.#kv.put(sessionKey(id), JSON.stringify(session), { expirationTtl: SESSION_TTL_SECONDS });
		return id;
	}

	async session(id: string): Promise<UploadSession | null> {
		if (!/^[\w-]{1,64}:[0-9a-f-]{36}$/.test(id)) return null;
		return this.#kv.get<UploadSession>(sessionKey(id), 'json');
	}

	/** Ends a session (its version is stored): its files are then kept only as a manifest references them. */
	async endSession(id: string): Promise<void> {
		await this.#kv.delete(sessionKey(id));
	}

	/** Whether `owner` has an upload session open (the blob sweep leaves such an owner alone). */
	async hasOpenSession(owner: string): Promise<boolean> {
		return (await this.#kv.list({ prefix: sessionPrefix(owner), limit: 1 })).keys.length > 0;
	}

	/** Stores a blob whose hash the caller has checked; the same hash always holds the same bytes. */
	async putBlob(owner: string, hash: string, bytes: Uint8Array): Promise<void> {
		const metadata: BlobMetadata = { size: bytes.byteLength, uploadedAt: Date.now() };
		await this.#kv.put(blobKey(owner, hash), bytes, { metadata });
	}

	/** Every blob of `owner` with when it was stored, page by page (one KV list per 1000). */
	async *blobs(owner: string): AsyncGenerator<{ hash: string; uploadedAt: number }> {
		const prefix = blobPrefix(owner);
		for (let cursor: string | undefined; ; ) {
			const page = await this.#kv.list<BlobMetadata>({ prefix, cursor });
			for (const key of page.keys) yield { hash: key.name.slice(prefix.length), uploadedAt: key.metadata?.uploadedAt ?? 0 };
			if (page.list_complete) return;
			cursor = page.cursor;
		}
	}

	async deleteBlobs(owner: string, hashes: string[]): Promise<void> {
		await Promise.all(hashes.map((hash) => this.#kv.delete(blobKey(owner, hash))));
	}

	/** A manifest read straight from KV, uncached (for the sweep: it may be about to go). */
	readManifestKey(key: string): Promise<AssetManifest | null> {
		return this.#kv.get<AssetManifest>(key, 'json');
	}

	/** A blob's bytes as a stream, or null when it is gone. */
	readBlob(owner: string, hash: string): Promise<ReadableStream | null> {
		return this.#kv.get(blobKey(owner, hash), 'stream');
	}

	/** The bytes of every blob `owner` stores (one KV list per 1000 blobs, sizes from their metadata). */
	async storedBytes(owner: string): Promise<number> {
		let total = 0;
		const prefix = blobPrefix(owner);
		for (let cursor: string | undefined; ; ) {
			const page = await this.#kv.list<BlobMetadata>({ prefix, cursor });
			for (const key of page.keys) total += key.metadata?.size ?? 0;
			if (page.list_complete) return total;
			cursor = page.cursor;
		}
	}

	/** The SHA-256 `owner`'s client hash `clientHash` names, or null. */
	alias(owner: string, clientHash: string): Promise<string | null> {
		return this.#kv.get(aliasKey(owner, clientHash));
	}

	/** Deletes `owner`'s client hashes that name any of `hashes` (their blobs were deleted). Returns how many. */
	async deleteAliasesOf(owner: string, hashes: ReadonlySet<string>): Promise<number> {
		const doomed: string[] = [];
		const prefix = aliasPrefix(owner);
		for (let cursor: string | undefined; ; ) {
			const page = await this.#kv.list<{ hash: string }>({ prefix, cursor });
			for (const key of page.keys) if (key.metadata && hashes.has(key.metadata.hash)) doomed.push(key.name);
			if (page.list_complete) break;
			cursor = page.cursor;
		}
		await Promise.all(doomed.map((key) => this.#kv.delete(key)));
		return doomed.length;
	}

	/** Records that `owner`'s client names the bytes with SHA-256 `hash` `clientHash`. */
	async putAlias(owner: string, clientHash: string, hash: string): Promise<void> {
		await this.#kv.put(aliasKey(owner, clientHash), hash, { metadata: { hash } });
	}

	/** The SHA-256 each of `clientHashes` names in `owner`'s namespace, for those it has an alias for (one KV list per 1000). */
	async resolveAliases(owner: string, clientHashes: Iterable<string>): Promise<Map<string, string>> {
		const wanted = new Set(clientHashes);
		const resolved = new Map<string, string>();
		const prefix = aliasPrefix(owner);
		for (let cursor: string | undefined; ; ) {
			const page = await this.#kv.list<{ hash: string }>({ prefix, cursor });
			for (const key of page.keys) {
				const clientHash = key.name.slice(prefix.length);
				if (wanted.has(clientHash) && key.metadata?.hash) resolved.set(clientHash, key.metadata.hash);
			}
			if (page.list_complete) return resolved;
			cursor = page.cursor;
		}
	}

	/** Deletes every blob and alias of `owner` (a deleted customer). Returns how many blobs. */
	async removeOwner(owner: string): Promise<number> {
		let removed = 0;
		for (const prefix of [blobPrefix(owner), aliasPrefix(owner)])
			for (;;) {
				// Each pass lists from the start: the keys just deleted are gone from the listing.
				const page = await this.#kv.list({ prefix });
				await Promise.all(page.keys.map((key) => this.#kv.delete(key.name)));
				if (prefix === blobPrefix(owner)) removed += page.keys.length;
				if (page.list_complete) break;
			}
		return removed;
	}

	/** A version's manifest, or null for a version without assets (cached: a version never changes). */
	async manifest(scriptId: string, version: number): Promise<AssetManifest | null> {
		const key = manifestKey(scriptId, version);
		const cached = this.#manifests.get(key);
		if (cached !== undefined) return cached;
		const manifest = await this.#kv.get<AssetManifest>(key, 'json');
		this.#manifests.set(key, manifest);
		return manifest;
	}
}
