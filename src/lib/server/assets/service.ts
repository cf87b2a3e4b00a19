// Who may upload static assets, and how an upload session becomes a version's manifest. The flow follows
// Cloudflare's assets upload session: the client declares path -> {hash, size} (`start`), the server answers
// with the hashes it lacks, the client uploads those (`upload`, in batches), and the Worker upload names the
// session (`complete`, called by the workers service once the name is the caller's).
//
// Ownership: blobs live in the namespace of the Worker's owner (a customer, or the operator). A hash is
// accepted in a manifest only when its blob is in that namespace: uploaded by the owner (or the operator
// for it), in this session or for any earlier version of the owner's Workers. Another customer's files are
// never reachable by naming their hash, and an upload cannot overwrite anything: a blob's key is the hash
// of its bytes, checked here before it is stored. A client's own hash (the Cloudflare-compatible API) names
// what its owner first stored under it, as long as that file is kept: an upload for a hash the owner already
// has is ignored, so the holder of an upload token cannot re-point it.
//
// A customer's stored bytes are bounded by its plan (maxAssetBytes): checked when a session starts and again
// for each batch's new files.
import type { PlatformConfig } from '../config';
import type { CustomerStore } from '../customers/store';
import { ConflictError, InputError, NotFoundError, PlatformError, QuotaError } from '../errors';
import { describePrincipal, ownerOf, type Principal } from '../principal';
import type { WorkerRegistry } from '../registry';
import type { VersionStore } from '../versions/store';
import { mayAccess } from '../workers/access';
import { workerNameProblem } from '$lib/worker-name';
import { formatBytes } from '$lib/format';
import { sha256Hex } from '../hashing';
import { fromBase64 } from '../modules/kinds';
import {
	checkDeclaredManifest,
	contentTypeOf,
	maxAssetFileBytes,
	ownerKey,
	type AssetEntry,
	type AssetManifest,
	type DeclaredManifest,
	type HashKind
} from './manifest';
import type { AssetStore, UploadSession } from './store';

/** One file of an upload batch: its SHA-256 (as declared in the session) and its bytes in base64. */
export interface UploadedFile {
	hash: string;
	base64: string;
}

export interface AssetService {
	/**
	 * Opens an upload session for the Worker `name`; answers which of the declared hashes to upload. The
	 * hashes are the files' SHA-256, or with `hashes: 'client'` the client's own names for them (Cloudflare's
	 * 32-digit asset hashes, which the platform cannot recompute: it keeps what each names per owner).
	 */
	start(
		caller: Principal,
		input: { name: string; manifest: DeclaredManifest; hashes?: HashKind }
	): Promise<{ session: string; missing: string[]; maxBatchBytes: number }>;
	/** Stores a batch of the session's files. Returns how many were stored. */
	upload(caller: Principal, input: { session: string; files: UploadedFile[] }): Promise<{ stored: number }>;
	/**
	 * Stores a batch of the session's files for whoever holds the session's id (the Cloudflare-compatible
	 * API's upload token, as Cloudflare's upload JWT authorizes its bearer); `complete` once every declared
	 * file is stored.
	 */
	uploadToSession(session: string, files: UploadedFile[]): Promise<{ stored: number; complete: boolean }>;
	/**
	 * The manifest the session describes, for a version of `name` owned by `owner`, once every file is stored;
	 * InputError naming what is missing or does not match.
	 */
	complete(caller: Principal, input: { session: string; name: string; owner: string | null }): Promise<AssetManifest>;
	/** Ends a session once the version that names it is stored: a session makes one version. */
	close(session: string): Promise<void>;
	/** The manifest of a kept version (to carry a Worker's assets over to a new version of its code). */
	manifestOf(scriptId: string, version: number): Promise<AssetManifest | null>;
	/** The files of a Worker's version (the serving one by default), path first; empty for a version without assets. */
	files(caller: Principal, name: string, version?: number): Promise<{ version: number; files: (AssetEntry & { path: string })[] }>;
	/** Deletes a removed customer's blobs. */
	removeOwner(customerId: string): Promise<number>;
}

export function createAssetService(deps: {
	config: PlatformConfig;
	registry: WorkerRegistry;
	customers: CustomerStore;
	versions: VersionStore;
	assets: AssetStore;
}): AssetService {
	const { config, registry, customers, versions, assets } = deps;
	const maxFileBytes = maxAssetFileBytes(config.maxScriptBytes);
	// A batch's base64 (4/3 of its bytes) and JSON envelope fit the tRPC body bound (2 × MAX_SCRIPT_BYTES + 64 KiB).
	const maxBatchBytes = config.maxScriptBytes;

	async function sessionOf(caller: Principal, id: string) {
		const session = await assets.session(id);
		// Someone else's session reads as no session: its id tells a caller nothing.
		if (!session || session.caller !== describePrincipal(caller))
			throw new InputError('session', 'no such asset upload session (sessions last an hour): start a new one');
		return session;
	}

	async function heldSession(id: string) {
		const session = await assets.session(id);
		if (!session) throw new InputError('session', 'no such asset upload session (sessions last an hour): start a new one');
		return session;
	}

	/** The declared hashes of `session` whose files its owner's namespace lacks. */
	async function missingOf(session: UploadSession): Promise<string[]> {
		const declared = Object.values(session.manifest).map((file) => file.hash);
		if (session.hashes !== 'client') return assets.missing(session.owner, declared);
		const resolved = await assets.resolveAliases(session.owner, declared);
		const absent = new Set(await assets.missing(session.owner, resolved.values()));
		return [...new Set(declared)].filter((hash) => !resolved.has(hash) || absent.has(resolved.get(hash)!));
	}

	/**
	 * Refuses `adding` new bytes when they would take the customer's stored assets (every file of its Workers'
	 * versions, each counted once) over its plan's maxAssetBytes. The operator's Workers have no such bound.
	 */
	async function checkStorageQuota(customerId: string, adding: number): Promise<void> {
		if (adding === 0) return;
		const customer = await customers.customer(customerId);
		if (!customer) return;
		const stored = await assets.storedBytes(ownerKey(customerId));
		const limit = customer.plan.maxAssetBytes;
		if (stored + adding > limit)
			throw new QuotaError(
				`these assets would bring ${customer.name}'s stored static assets to ${formatBytes(stored + adding)} (${formatBytes(stored)} stored, ${formatBytes(adding)} new); the plan allows ${formatBytes(limit)} (plan.maxAssetBytes): files of deleted Workers and pruned versions are freed when they are swept (after RETIRED_CODE_GRACE_SECONDS), or ask the operator for a larger plan`,
				'assets'
			);
	}

	/**
	 * Checks and stores a batch of `session`'s files: a client-named file under its SHA-256 with the alias,
	 * unless the owner already has a file under that client hash. New bytes count against a customer's plan.
	 */
	async function store(session: UploadSession, files: UploadedFile[]): Promise<number> {
		const sizes = new Map(Object.values(session.manifest).map((file) => [file.hash, file.size]));
		const decoded: { hash: string; sha256: string; bytes: Uint8Array<ArrayBuffer> }[] = [];
		let total = 0;
		for (const { hash, base64 } of files) {
			const size = sizes.get(hash);
			if (size === undefined) throw new InputError('files', `hash ${hash} is not in this session's manifest`);
			let bytes: Uint8Array<ArrayBuffer>;
			try {
				bytes = fromBase64(base64);
			} catch {
				throw new InputError('files', `the file with hash ${hash} is not valid base64`);
			}
			if (bytes.byteLength !== size)
				throw new InputError('files', `the file with hash ${hash} is ${bytes.byteLength} bytes; the manifest says ${size}`);
			const sha256 = await sha256Hex(bytes);
			if (session.hashes !== 'client' && sha256 !== hash) throw new InputError('files', `the file sent for hash ${hash} has a different SHA-256`);
			total += size;
			decoded.push({ hash, sha256, bytes });
		}
		if (total > maxBatchBytes)
			throw new InputError('files', `this batch is ${formatBytes(total)}; a batch may carry at most ${formatBytes(maxBatchBytes)}`);
		let fresh = decoded;
		if (session.hashes === 'client') {
			const named = new Map(await Promise.all(decoded.map(async ({ hash }) => [hash, await assets.alias(session.owner, hash)] as const)));
			const kept = [...named.values()].filter((sha256): sha256 is string => sha256 !== null);
			const gone = new Set(await assets.missing(session.owner, kept));
			fresh = decoded.filter(({ hash }) => {
				const sha256 = named.get(hash);
				return !sha256 || gone.has(sha256);
			});
		}
		if (session.owner !== ownerKey(null)) {
			const absent = new Set(await assets.missing(session.owner, fresh.map(({ sha256 }) => sha256)));
			const adding = new Map(fresh.filter(({ sha256 }) => absent.has(sha256)).map(({ sha256, bytes }) => [sha256, bytes.byteLength]));
			await checkStorageQuota(session.owner, [...adding.values()].reduce((sum, size) => sum + size, 0));
		}
		await Promise.all(
			fresh.map(async ({ hash, sha256, bytes }) => {
				await assets.putBlob(session.owner, sha256, bytes);
				if (session.hashes === 'client') await assets.putAlias(session.owner, hash, sha256);
			})
		);
		return fresh.length;
	}

	return {
		async start(caller, { name, manifest, hashes = 'sha256' }) {
			requireSignedIn(caller);
			const problem = workerNameProblem(name);
			if (problem) throw new InputError('name', problem);
			checkDeclaredManifest(manifest, maxFileBytes, hashes);
			let owner = await customers.ownerOfWorker(name);
			// A Worker uploaded before customers existed has a record but no owner row: it is the operator's.
			if (owner === undefined && (await registry.get(name))) owner = null;
			if (owner !== undefined && caller.kind !== 'operator' && owner !== ownerOf(caller))
				throw new ConflictError(`the name "${name}" is taken; choose another name`, 'name');
			const blobOwner = ownerKey(owner === undefined ? ownerOf(caller) : owner);
			const started: UploadSession = { name, owner: blobOwner, caller: describePrincipal(caller), manifest, ...(hashes === 'client' && { hashes }) };
			const missing = await missingOf(started);
			const customerId = owner === undefined ? ownerOf(caller) : owner;
			const sizes = new Map(Object.values(manifest).map((file) => [file.hash, file.size]));
			if (customerId !== null) await checkStorageQuota(customerId, missing.reduce((total, hash) => total + (sizes.get(hash) ?? 0), 0));
			return { session: await assets.startSession(started), missing, maxBatchBytes };
		},

		async upload(caller, { session: id, files }) {
			requireSignedIn(caller);
			return { stored: await store(await sessionOf(caller, id), files) };
		},

		async uploadToSession(id, files) {
			const session = await heldSession(id);
			if (session.hashes !== 'client') throw new InputError('session', 'this upload session takes its files through assets.upload, with its caller\'s token');
			const stored = await store(session, files);
			return { stored, complete: (await missingOf(session)).length === 0 };
		},

		async complete(caller, { session: id, name, owner }) {
			const session = await sessionOf(caller, id);
			if (session.name !== name)
				throw new InputError('assets', `the asset upload session was started for "${session.name}", not "${name}"`);
			if (session.owner !== ownerKey(owner))
				throw new InputError('assets', `the asset upload session was started for another owner of "${name}": start a new one`);
			const entries = Object.entries(session.manifest);
			const missing = new Set(await missingOf(session));
			const notUploaded = entries.filter(([, file]) => missing.has(file.hash)).map(([path]) => path);
			if (notUploaded.length)
				throw new InputError(
					'assets',
					`${notUploaded.length} asset file(s) were not uploaded yet: ${notUploaded.slice(0, 5).join(', ')}${notUploaded.length > 5 ? ', …' : ''}`
				);
			// A client-named file is stored under its SHA-256, which the manifest records.
			const sha256Of = session.hashes === 'client' ? await assets.resolveAliases(session.owner, entries.map(([, file]) => file.hash)) : null;
			return {
				owner: session.owner,
				files: Object.fromEntries(
					entries.map(([path, { hash, size }]) => {
						const stored = sha256Of ? sha256Of.get(hash) : hash;
						if (!stored) throw new InputError('assets', `asset ${path} was not uploaded yet: upload it again`);
						return [path, { hash: stored, size, contentType: contentTypeOf(path) }];
					})
				)
			};
		},

		close: (session) => assets.endSession(session),

		manifestOf: (scriptId, version) => assets.manifest(scriptId, version),

		async files(caller, name, version) {
			requireSignedIn(caller);
			const record = await registry.get(name);
			if (!record || !mayAccess(caller, record)) throw new NotFoundError(`no Worker is named "${name}"`);
			const number = version ?? record.version;
			if (!(await versions.get(record.scriptId, number))) throw new NotFoundError(`"${name}" has no version ${number}`);
			const manifest = await assets.manifest(record.scriptId, number);
			const files = Object.entries(manifest?.files ?? {}).map(([path, entry]) => ({ path, ...entry }));
			return { version: number, files: files.sort((a, b) => (a.path < b.path ? -1 : 1)) };
		},

		removeOwner: (customerId) => assets.removeOwner(ownerKey(customerId))
	};
}

function requireSignedIn(caller: Principal) {
	if (caller.kind === 'anonymous') throw new PlatformError('forbidden', 'sign in or send a token first');
}
