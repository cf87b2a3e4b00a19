// Static assets through the Cloudflare-compatible API, as wrangler uploads them (Cloudflare's "direct
// upload"): the manifest (path -> Cloudflare's 32-digit hash, size) opens a session, which answers with an
// upload token and the hashes to send in buckets; each bucket goes as multipart, base64, with the token
// as its bearer; the answer to the last one carries a completion token, which the script upload names in
// `metadata.assets.jwt`. The session and its checks are the platform's own (src/lib/server/assets/service.ts),
// the same ones `wfp deploy` and the tRPC calls use.
//
// The tokens are JWT-shaped because wrangler reads their payload (`exp`, and which upload mode to use); they
// are not signed: what authorizes their bearer is the session id inside, 122 random bits, as Cloudflare's
// upload JWT authorizes whoever holds it. They are as secret as the session, and last as long (an hour).
import { bearerToken } from '../auth';
import { InputError } from '../errors';
import { SESSION_TTL_SECONDS } from '../assets/store';
import type { DeclaredManifest } from '../assets/manifest';
import type { Platform } from '../platform';
import type { Principal } from '../principal';
import { CloudflareApiError, CODES, success } from './envelope';

/** A manifest of MAX_ASSET_FILES paths of MAX_ASSET_PATH_BYTES with their hashes and sizes. */
export const MAX_MANIFEST_BODY_BYTES = 2 * 1024 * 1024;

/** The largest bucket body: a batch of files (at most MAX_SCRIPT_BYTES) in base64, with the multipart framing. */
export const maxBucketBodyBytes = (maxScriptBytes: number) => Math.ceil((maxScriptBytes * 4) / 3) + 64 * 1024;

type Phase = 'upload' | 'complete';

const base64url = (text: string) => btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const TOKEN_HEADER = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));

/** A token for the session `session` in phase `phase`. */
export function assetToken(session: string, phase: Phase, now = Date.now()): string {
	const payload = { session, phase, exp: Math.floor(now / 1000) + SESSION_TTL_SECONDS };
	return `${TOKEN_HEADER}.${base64url(JSON.stringify(payload))}.`;
}

/** The session a token of phase `phase` names, or null for anything else (expired, malformed, the other phase). */
export function sessionOfToken(token: string, phase: Phase, now = Date.now()): string | null {
	const [header, payload, signature, ...rest] = token.split('.');
	if (header !== TOKEN_HEADER || payload === undefined || signature !== '' || rest.length > 0) return null;
	try {
		const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/'))) as { session?: unknown; phase?: unknown; exp?: unknown };
		if (typeof claims.session !== 'string' || claims.phase !== phase || typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return null;
		return claims.session;
	} catch {
		return null;
	}
}

/** Groups the hashes to upload into buckets of at most `maxBytes` of files each (a file alone may fill one). */
function bucketsOf(missing: string[], manifest: DeclaredManifest, maxBytes: number): string[][] {
	const sizes = new Map(Object.values(manifest).map((file) => [file.hash, file.size]));
	const buckets: string[][] = [];
	let current: string[] = [];
	let bytes = 0;
	for (const hash of missing) {
		const size = sizes.get(hash) ?? 0;
		if (current.length > 0 && bytes + size > maxBytes) {
			buckets.push(current);
			current = [];
			bytes = 0;
		}
		current.push(hash);
		bytes += size;
	}
	if (current.length > 0) buckets.push(current);
	return buckets;
}

/** POST …/scripts/:script/assets-upload-session `{ manifest }`: whoever may upload the Worker may start one. */
export async function startAssetUpload(platform: Platform, caller: Principal, script: string, body: unknown): Promise<Response> {
	const manifest = (body as { manifest?: unknown } | null)?.manifest;
	if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
		throw new InputError('manifest', 'the body must be JSON: { "manifest": { "/path": { "hash": "…", "size": 123 } } }');
	const declared = manifest as DeclaredManifest;
	for (const [path, file] of Object.entries(declared))
		if (file === null || typeof file !== 'object') throw new InputError('manifest', `asset ${path}: expected { hash, size }`);
	const { session, missing, maxBatchBytes } = await platform.assetUploads.start(caller, { name: script, manifest: declared, hashes: 'client' });
	if (missing.length === 0) return success({ jwt: assetToken(session, 'complete'), buckets: [] });
	return success({ jwt: assetToken(session, 'upload'), buckets: bucketsOf(missing, declared, maxBatchBytes) });
}

/** The session of a bucket upload's bearer token: the upload token authorizes it, no API token. */
export function uploadSessionOf(request: Request): string {
	const token = bearerToken(request.headers);
	const session = token ? sessionOfToken(token, 'upload') : null;
	if (!session)
		throw new CloudflareApiError(
			401,
			CODES.authentication,
			'Authentication error: send the upload token (jwt) from assets-upload-session as Authorization: Bearer <jwt>; it lasts an hour'
		);
	return session;
}

/**
 * POST /accounts/:account/workers/assets/upload?base64=true, multipart: one part per file, named by its hash,
 * holding its bytes in base64. 201 with the completion token once every file of the session is stored, else 202.
 */
export async function uploadAssetBucket(platform: Platform, session: string, url: URL, form: FormData): Promise<Response> {
	if (url.searchParams.get('base64') !== 'true') throw new InputError('base64', 'send the files base64-encoded, with ?base64=true (as wrangler does)');
	const files: { hash: string; base64: string }[] = [];
	for (const [hash, value] of form.entries()) files.push({ hash, base64: (typeof value === 'string' ? value : await value.text()).trim() });
	if (files.length === 0) throw new InputError('files', 'the upload holds no files');
	const { complete } = await platform.assetUploads.uploadToSession(session, files);
	return complete ? success({ jwt: assetToken(session, 'complete') }, { status: 201 }) : success({}, { status: 202 });
}

/** What a script upload's metadata says about its assets: a completed session, the serving version's, or none. */
export type ScriptAssets = { session: string } | { keep: true } | undefined;

/** The config keys wrangler sends, and the one value of each this platform serves assets with. */
const SUPPORTED_CONFIG: Record<string, readonly unknown[]> = {
	html_handling: [undefined, 'auto-trailing-slash'],
	not_found_handling: [undefined, 'none'],
	run_worker_first: [undefined, false],
	base_path: [undefined],
	_redirects: [undefined],
	_headers: [undefined]
};

/** `metadata.assets` ({ jwt, config }) and `metadata.keep_assets`, or an InputError naming what is not supported. */
export function scriptAssetsOf(metadata: Record<string, unknown>): ScriptAssets {
	const { assets, keep_assets: keep } = metadata;
	if (assets === undefined) return keep === true ? { keep: true } : undefined;
	const { jwt, config = {} } = (assets ?? {}) as { jwt?: unknown; config?: Record<string, unknown> };
	if (typeof jwt !== 'string') throw new InputError('assets', 'metadata.assets.jwt must be the completion token of an asset upload session');
	for (const [key, value] of Object.entries(config ?? {})) {
		const allowed = SUPPORTED_CONFIG[key];
		if (!allowed) throw new InputError('assets', `metadata.assets.config.${key} is not supported by this platform`);
		if (!allowed.includes(value))
			throw new InputError(
				'assets',
				`assets ${key} ${JSON.stringify(value)} is not supported by this platform: it serves assets with ${allowed.filter((v) => v !== undefined).map((v) => JSON.stringify(v)).join(' or ') || `no ${key}`} (README, "Static assets")`
			);
	}
	const session = sessionOfToken(jwt, 'complete');
	if (!session)
		throw new InputError('assets', 'metadata.assets.jwt is not a completion token of this platform, or it has expired (they last an hour): upload the assets again');
	return { session };
}
