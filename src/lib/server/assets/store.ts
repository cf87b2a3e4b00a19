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

/** An alias's metadata: the SHA-256 it names (so one list reads them all). */
interface AliasMetadata {
	hash: string;
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

	/** Every key under `prefix` (its name after the prefix) with its metadata, one KV list per 1000. */
	async *#keys<Metadata>(prefix: string): AsyncGenerator<{ name: string; metadata: Metadata | undefined }> {
		for (let cursor: string | undefined; ; ) {
			const page = await this.#kv.list<Metadata>({ prefix, cursor });
			for (const key of page.keys) yield { name: key.name.slice(prefix.length), metadata: key.metadata };
			if (page.list_complete) return;
			cursor = page.cursor;
		}
	}

	/** Deletes every key under `prefix`. Returns how many. */
	async #deleteAll(prefix: string): Promise<number> {
		let removed = 0;
		for (;;) {
			// Each pass lists from the start: the keys just deleted are gone from the listing.
			const page = await this.#kv.list({ prefix });
			await Promise.all(page.keys.map((key) => this.#kv.delete(key.name)));
			removed += page.keys.length;
			if (page.list_complete) return removed;
		}
	}

	/** The hashes among `hashes` that `owner`'s namespace lacks (one KV list per 1000 blobs it holds). */
	async missing(owner: string, hashes: Iterable<string>): Promise<string[]> {
		const held = new Set<string>();
		for await (const blob of this.#keys(blobPrefix(owner))) held.add(blob.name);
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
		for await (const blob of this.#keys<BlobMetadata>(blobPrefix(owner))) yield { hash: blob.name, uploadedAt: blob.metadata?.uploadedAt ?? 0 };
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
		for await (const blob of this.#keys<BlobMetadata>(blobPrefix(owner))) total += blob.metadata?.size ?? 0;
		return total;
	}

	/** The SHA-256 `owner`'s client hash `clientHash` names, or null. */
	alias(owner: string, clientHash: string): Promise<string | null> {
		return this.#kv.get(aliasKey(owner, clientHash));
	}

	/** Deletes `owner`'s client hashes that name any of `hashes` (their blobs were deleted). Returns how many. */
	async deleteAliasesOf(owner: string, hashes: ReadonlySet<string>): Promise<number> {
		const doomed: string[] = [];
		for await (const alias of this.#keys<AliasMetadata>(aliasPrefix(owner))) if (alias.metadata && hashes.has(alias.metadata.hash)) doomed.push(alias.name);
		await Promise.all(doomed.map((clientHash) => this.#kv.delete(aliasKey(owner, clientHash))));
		return doomed.length;
	}

	/** Records that `owner`'s client names the bytes with SHA-256 `hash` `clientHash`. */
	async putAlias(owner: string, clientHash: string, hash: string): Promise<void> {
		const metadata: AliasMetadata = { hash };
		await this.#kv.put(aliasKey(owner, clientHash), hash, { metadata });
	}

	/** The SHA-256 each of `clientHashes` names in `owner`'s namespace, for those it has an alias for (one KV list per 1000). */
	async resolveAliases(owner: string, clientHashes: Iterable<string>): Promise<Map<string, string>> {
		const wanted = new Set(clientHashes);
		const resolved = new Map<string, string>();
		for await (const alias of this.#keys<AliasMetadata>(aliasPrefix(owner)))
			if (wanted.has(alias.name) && alias.metadata) resolved.set(alias.name, alias.metadata.hash);
		return resolved;
	}

	/** Deletes every blob and alias of `owner` (a deleted customer). Returns how many blobs. */
	async removeOwner(owner: string): Promise<number> {
		const removed = await this.#deleteAll(blobPrefix(owner));
		await this.#deleteAll(aliasPrefix(owner));
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
