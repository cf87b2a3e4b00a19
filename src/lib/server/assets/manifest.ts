// A Worker version's static assets: the manifest (path -> hash, size, content type) that is stored with
// the version, the bounds an asset set must keep, and the KV keys of manifests, blobs and upload sessions.
// Blobs are content-addressed by the SHA-256 of their bytes within one owner's namespace (a customer, or the
// operator): the same file is stored once for every version and every Worker of that owner.
import { InputError } from '../errors';
import { formatBytes } from '$lib/format';

/** One file of a version's assets. */
export interface AssetEntry {
	/** SHA-256 of the bytes, lowercase hex: the blob's key and the ETag. */
	hash: string;
	size: number;
	contentType: string;
}

/** What a version with assets stores beside its code. */
export interface AssetManifest {
	/** The blob namespace its files live in (`ownerKey`): the Worker's owner when the version was uploaded. */
	owner: string;
	/** Path ("/index.html") -> file. */
	files: Record<string, AssetEntry>;
}

/** What a client declares when it starts an upload: path -> the file's SHA-256 and size. */
export type DeclaredManifest = Record<string, { hash: string; size: number }>;

/**
 * The bounds of one version's assets. A file goes to the API in one base64 call within the tRPC body bound
 * (2 × MAX_SCRIPT_BYTES + 64 KiB), so it may be at most MAX_SCRIPT_BYTES (1 MiB by default; Cloudflare allows
 * 25 MiB, which is also KV's value limit). The manifest of MAX_ASSET_FILES paths of MAX_ASSET_PATH_BYTES
 * stays far below KV's 25 MiB value limit and within one API body.
 */
export const MAX_ASSET_FILES = 2000;
export const MAX_ASSET_PATH_BYTES = 512;
export const MAX_ASSET_TOTAL_BYTES = 100 * 1024 * 1024;
export const maxAssetFileBytes = (maxScriptBytes: number) => maxScriptBytes;

const KEY_PREFIX = 'assets:';
/** The KV key of one version's manifest (written once with the version, retired with its code). */
export const manifestKey = (scriptId: string, version: number) => `${KEY_PREFIX}manifest:${scriptId}:${version}`;
/** The KV key prefix of the manifests, for the version store's SQL that retires them. */
export const MANIFEST_KEY_PREFIX = `${KEY_PREFIX}manifest:`;
/** The blob namespace of an owner: its customer id, or `operator`. */
export const ownerKey = (owner: string | null) => owner ?? 'operator';
export const blobKey = (owner: string, hash: string) => `${KEY_PREFIX}blob:${owner}:${hash}`;
export const blobPrefix = (owner: string) => `${KEY_PREFIX}blob:${owner}:`;
/**
 * A client's own name for a file (Cloudflare's 32-hex-digit asset hash, which wrangler derives from the
 * content and extension) -> the SHA-256 of the bytes it uploaded under that name, per owner: how an upload
 * through the Cloudflare-compatible API finds the files the owner already has.
 */
export const aliasKey = (owner: string, clientHash: string) => `${KEY_PREFIX}alias:${owner}:${clientHash}`;
export const aliasPrefix = (owner: string) => `${KEY_PREFIX}alias:${owner}:`;
/** An upload session's key; its id is `<owner>:<uuid>`, so a sweep can see an owner's open sessions. */
export const sessionKey = (id: string) => `${KEY_PREFIX}session:${id}`;
export const sessionPrefix = (owner: string) => `${KEY_PREFIX}session:${owner}:`;

const HASH = /^[0-9a-f]{64}$/;
/** Cloudflare's asset hash: 32 lowercase hex digits, whatever the client derived them from. */
export const CLIENT_HASH = /^[0-9a-f]{32}$/;

/** How the hashes of a declared manifest are to be read: SHA-256 of the bytes, or a client's own names (Cloudflare's). */
export type HashKind = 'sha256' | 'client';

/** Why `path` cannot be an asset path, or null. */
export function assetPathProblem(path: string): string | null {
	if (!path.startsWith('/')) return `asset path ${JSON.stringify(path)} must start with "/"`;
	if (new TextEncoder().encode(path).length > MAX_ASSET_PATH_BYTES)
		return `asset path ${JSON.stringify(path.slice(0, 40))}… is longer than ${MAX_ASSET_PATH_BYTES} bytes`;
	if (path.endsWith('/')) return `asset path ${JSON.stringify(path)} names a directory, not a file`;
	if (/[\\\u0000-\u001f\u007f?#]/.test(path)) return `asset path ${JSON.stringify(path)} contains a backslash, "?", "#" or a control character`;
	if (path.split('/').slice(1).some((segment) => segment === '' || segment === '.' || segment === '..'))
		return `asset path ${JSON.stringify(path)} has an empty, "." or ".." segment`;
	return null;
}

/** Checks a declared manifest against the bounds; InputError (field `assets`) naming the file and the limit. */
export function checkDeclaredManifest(manifest: DeclaredManifest, maxFileBytes: number, hashes: HashKind = 'sha256'): void {
	const paths = Object.keys(manifest);
	if (paths.length === 0) throw new InputError('assets', 'the asset manifest is empty');
	if (paths.length > MAX_ASSET_FILES)
		throw new InputError('assets', `${paths.length} asset files; a version may have at most ${MAX_ASSET_FILES}`);
	let total = 0;
	for (const path of paths) {
		const problem = assetPathProblem(path);
		if (problem) throw new InputError('assets', problem);
		const { hash, size } = manifest[path];
		if (hashes === 'sha256' && (typeof hash !== 'string' || !HASH.test(hash)))
			throw new InputError('assets', `asset ${path}: hash must be the file's SHA-256 as 64 lowercase hex digits`);
		if (hashes === 'client' && (typeof hash !== 'string' || !CLIENT_HASH.test(hash)))
			throw new InputError('assets', `asset ${path}: hash must be 32 lowercase hex digits`);
		if (!Number.isSafeInteger(size) || size < 0) throw new InputError('assets', `asset ${path}: size must be a whole number of bytes`);
		if (size > maxFileBytes)
			throw new InputError('assets', `asset ${path} is ${formatBytes(size)}; the limit per file is ${formatBytes(maxFileBytes)}`);
		total += size;
	}
	if (total > MAX_ASSET_TOTAL_BYTES)
		throw new InputError('assets', `the assets come to ${formatBytes(total)}; the limit per version is ${formatBytes(MAX_ASSET_TOTAL_BYTES)}`);
}

const CONTENT_TYPES: Record<string, string> = {
	html: 'text/html; charset=utf-8',
	htm: 'text/html; charset=utf-8',
	css: 'text/css; charset=utf-8',
	js: 'text/javascript; charset=utf-8',
	mjs: 'text/javascript; charset=utf-8',
	json: 'application/json; charset=utf-8',
	map: 'application/json; charset=utf-8',
	webmanifest: 'application/manifest+json; charset=utf-8',
	txt: 'text/plain; charset=utf-8',
	md: 'text/markdown; charset=utf-8',
	csv: 'text/csv; charset=utf-8',
	xml: 'application/xml; charset=utf-8',
	svg: 'image/svg+xml',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	avif: 'image/avif',
	ico: 'image/x-icon',
	woff: 'font/woff',
	woff2: 'font/woff2',
	ttf: 'font/ttf',
	otf: 'font/otf',
	wasm: 'application/wasm',
	pdf: 'application/pdf',
	mp4: 'video/mp4',
	webm: 'video/webm',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	zip: 'application/zip'
};

/** The Content-Type an asset is served with, from its extension; unknown ones are application/octet-stream. */
export function contentTypeOf(path: string): string {
	const name = path.slice(path.lastIndexOf('/') + 1);
	const dot = name.lastIndexOf('.');
	return (dot > 0 && CONTENT_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
