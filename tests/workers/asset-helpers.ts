// Static assets in the workers tests: a version uploaded with its files through an upload session.
import type { setup } from './helpers';
import { sha256Hex as sha256 } from '$lib/server/hashing';

/** Answers `worker <path>`; reads `/style.css` through env.ASSETS at `/through-binding`. */
export const ASSETS_WORKER = `export default { async fetch(request, env) {
	const url = new URL(request.url);
	if (url.pathname === '/through-binding') return env.ASSETS.fetch(new URL('/style.css', url));
	return new Response('worker ' + url.pathname);
} }`;

type Caller = ReturnType<typeof setup>['caller'];

export { sha256 };
const encoder = new TextEncoder();

/** Uploads `files` (path -> text) as the assets of a new version of `name`; returns what start answered and the record. */
export async function deployWithAssets(caller: Caller, name: string, files: Record<string, string>) {
	const entries = await Promise.all(Object.entries(files).map(async ([path, text]) => ({ path, text, hash: await sha256(text) })));
	const manifest = Object.fromEntries(entries.map(({ path, text, hash }) => [path, { hash, size: encoder.encode(text).length }]));
	const started = await caller.assets.start({ name, manifest });
	const missing = new Set(started.missing);
	const upload = entries.filter(({ hash }) => missing.has(hash)).map(({ text, hash }) => ({ hash, base64: btoa(text) }));
	if (upload.length) await caller.assets.upload({ session: started.session, files: upload });
	const record = await caller.workers.upload({ name, code: ASSETS_WORKER, assets: { session: started.session } });
	return { started, record };
}

