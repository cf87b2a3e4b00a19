// Answers a request from a version's static assets, without running the Worker's code. The path is looked
// up in the manifest as Cloudflare's `html_handling: "auto-trailing-slash"` resolves it, kept simple:
//   - the exact path ("/style.css", "/about.html");
//   - a path ending in "/" serves its "index.html" ("/" -> "/index.html", "/docs/" -> "/docs/index.html");
//   - a path without an extension tries "<path>.html", then "<path>/index.html" ("/about").
// No redirects are sent (Cloudflare redirects "/about.html" to "/about"; here both answer).
// Only GET and HEAD are answered; anything else, and a path that is no asset, goes to the Worker.
import type { AssetEntry, AssetManifest } from './manifest';
import type { AssetStore } from './store';
import type { ScriptSource } from '../backend';

/** Assets must be revalidated on every use (the ETag makes that a 304), so a new version shows at once. */
export const ASSET_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

/** The manifest entry `pathname` resolves to, or null. */
export function resolveAsset(manifest: AssetManifest, pathname: string): AssetEntry | null {
	let path: string;
	try {
		path = decodeURIComponent(pathname);
	} catch {
		return null;
	}
	const { files } = manifest;
	if (path.endsWith('/')) return files[`${path}index.html`] ?? null;
	return files[path] ?? files[`${path}.html`] ?? files[`${path}/index.html`] ?? null;
}

/** Whether `ifNoneMatch` (the request's If-None-Match) names `etag`, weakly compared as RFC 9110 says. */
function matches(ifNoneMatch: string, etag: string): boolean {
	return ifNoneMatch
		.split(',')
		.map((tag) => tag.trim().replace(/^W\//, ''))
		.some((tag) => tag === '*' || tag === etag);
}

/**
 * The asset's response (200, or 304 when the client holds it), or null when the request is not for an
 * asset. `readBlob` returns the bytes, or null when the blob is gone (then the Worker answers).
 */
export async function serveAsset(
	request: Request,
	pathname: string,
	manifest: AssetManifest,
	readBlob: (owner: string, hash: string) => Promise<ReadableStream | null>
): Promise<Response | null> {
	if (request.method !== 'GET' && request.method !== 'HEAD') return null;
	const entry = resolveAsset(manifest, pathname);
	if (!entry) return null;
	const etag = `"${entry.hash}"`;
	const headers = new Headers({ etag, 'cache-control': ASSET_CACHE_CONTROL, 'content-type': entry.contentType });
	const ifNoneMatch = request.headers.get('if-none-match');
	if (ifNoneMatch !== null && matches(ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
	headers.set('content-length', String(entry.size));
	if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
	const body = await readBlob(manifest.owner, entry.hash);
	if (body === null) return null;
	return new Response(body, { status: 200, headers });
}

/** The asset response of `script`'s version for `request` (its path as the Worker sees it), or null. */
export async function serveVersionAsset(
	store: Pick<AssetStore, 'manifest' | 'readBlob'>,
	script: { scriptId: string; version: number },
	request: Request,
	pathname: string
): Promise<Response | null> {
	if (request.method !== 'GET' && request.method !== 'HEAD') return null;
	const manifest = await store.manifest(script.scriptId, script.version);
	return manifest && serveAsset(request, pathname, manifest, (owner, hash) => store.readBlob(owner, hash));
}

/**
 * The runner's ASSETS binding endpoint (after the runner secret is checked): `version` is
 * `<scriptId>/<version>`, `pathname` the asset path; a path that is no asset is a 404, as Cloudflare's
 * binding answers.
 */
export async function serveRunnerAsset(source: ScriptSource, request: Request, version: string, pathname: string): Promise<Response> {
	const [scriptId, number] = version.split('/').map(decodeURIComponent);
	const manifest = source.assetManifest && (await source.assetManifest(scriptId, Number(number)));
	const asset = manifest && source.assetBlob && (await serveAsset(request, pathname, manifest, source.assetBlob));
	return asset ?? new Response('no such asset', { status: 404 });
}
