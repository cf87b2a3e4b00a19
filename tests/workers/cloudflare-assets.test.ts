// Static assets on the cloudflare backend: a version with assets goes up through the dispatch namespace's
// assets upload session (Direct Uploads), checked by the fake Cloudflare API's wire format: the manifest
// with 32-hex-digit hashes, the missing files in the buckets it asks for (base64, multipart, one part per
// hash with the file's Content-Type, the upload JWT as the bearer), and the script's metadata naming the
// completion JWT, the config and an ASSETS binding.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ORIGIN, useEmptyKv } from './helpers';
import { cloudflareSetup } from './cloudflare-setup';
import { ASSETS_WORKER, deployWithAssets, sha256 } from './asset-helpers';
import { dispatchToUserWorker } from '$lib/server/dispatch';
import { cloudflareAssetHash, previewScriptName } from '$lib/server/backends/cloudflare';

const api = inject('fakeCloudflareApi');

interface StoredAssets {
	files: Record<string, { hash: string; size: number; contentType: string; base64: string }>;
	config: unknown;
	binding: string | null;
}

async function storedAssets(script: string): Promise<StoredAssets | undefined> {
	const response = await fetch(`${api.url}/__fake/scripts/${script}`);
	return response.ok ? ((await response.json()) as { assets?: StoredAssets }).assets : undefined;
}

async function requestsSince(count: number): Promise<{ method: string; path: string; query: Record<string, string> }[]> {
	return ((await (await fetch(`${api.url}/__fake/requests`)).json()) as []).slice(count);
}

describe('cloudflare backend: static assets (fake Cloudflare API)', { timeout: 30_000 }, () => {
	useEmptyKv();
	beforeAll(() => import('cloudflare'), 120_000);

	it('uploads the files through the assets upload session and names the completion JWT in the script metadata', async () => {
		const { caller, platform } = cloudflareSetup();
		const files = { '/index.html': '<h1>cf</h1>', '/style.css': 'h1{}', '/app.js': 'run()' };
		const before = (await requestsSince(0)).length;
		const { record } = await deployWithAssets(caller, 'cf-site', files);

		const assets = await storedAssets(record.scriptId);
		expect(assets?.binding).toBe('ASSETS');
		expect(assets?.config).toEqual({ html_handling: 'auto-trailing-slash' });
		const expected: StoredAssets['files'] = {};
		for (const [path, text] of Object.entries(files)) {
			const contentType = path.endsWith('.html') ? 'text/html; charset=utf-8' : path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
			expected[path] = { hash: await cloudflareAssetHash(await sha256(text), contentType), size: text.length, contentType, base64: btoa(text) };
		}
		expect(assets?.files).toEqual(expected);

		// One session, then the buckets the fake asked for (two files each), then the script.
		const calls = (await requestsSince(before)).map(({ method, path, query }) => `${method} ${path.replace(/^.*\/workers\//, '')}${query.base64 ? '?base64=' + query.base64 : ''}`);
		expect(calls).toEqual([
			`POST dispatch/namespaces/${api.namespace}/scripts/${record.scriptId}/assets-upload-session`,
			'POST assets/upload?base64=true',
			'POST assets/upload?base64=true',
			`PUT dispatch/namespaces/${api.namespace}/scripts/${record.scriptId}`
		]);

		// The platform serves the assets itself before dispatching; other paths reach the namespace script.
		const url = new URL('/user-workers/cf-site/', ORIGIN);
		expect(await (await dispatchToUserWorker(new Request(url), url, platform)).text()).toBe('<h1>cf</h1>');
		const other = new URL('/user-workers/cf-site/elsewhere', ORIGIN);
		expect(await (await dispatchToUserWorker(new Request(other), other, platform)).text()).toBe('worker /elsewhere');
	});

	it('sends no file Cloudflare already has, and uploads a preview script with its version\'s assets', async () => {
		const { caller, platform } = cloudflareSetup();
		const first = (await deployWithAssets(caller, 'cf-again', { '/a.txt': 'same' })).record;
		const before = (await requestsSince(0)).length;
		await caller.workers.upload({ name: 'cf-again', code: ASSETS_WORKER });
		await deployWithAssets(caller, 'cf-again', { '/b.txt': 'same' });
		const calls = (await requestsSince(before)).map(({ path }) => path.replace(/^.*\/workers\//, ''));
		expect(calls.filter((path) => path === 'assets/upload')).toEqual([]);

		// The first version's preview is a script of its own, with its assets.
		const url = new URL(`/user-workers/cf-again@${first.version}/elsewhere`, ORIGIN);
		expect(await (await dispatchToUserWorker(new Request(url), url, platform)).text()).toBe('worker /elsewhere');
		expect(Object.keys((await storedAssets(previewScriptName(first.scriptId, first.version)))?.files ?? {})).toEqual(['/a.txt']);
	});

	it('is refused by the API without the upload JWT or without base64, as Cloudflare refuses it', async () => {
		const base = `${api.url}/client/v4/accounts/${api.accountId}/workers`;
		const session = await fetch(`${base}/dispatch/namespaces/${api.namespace}/scripts/x/assets-upload-session`, {
			method: 'POST',
			headers: { authorization: `Bearer ${api.apiToken}`, 'content-type': 'application/json' },
			body: JSON.stringify({ manifest: { '/x.txt': { hash: 'f'.repeat(32), size: 1 } } })
		});
		const { result } = (await session.json()) as { result: { jwt: string; buckets: string[][] } };
		expect(result.buckets).toEqual([['f'.repeat(32)]]);
		const form = new FormData();
		form.append('f'.repeat(32), new File([btoa('x')], 'x', { type: 'text/plain' }));
		const withApiToken = await fetch(`${base}/assets/upload?base64=true`, { method: 'POST', headers: { authorization: `Bearer ${api.apiToken}` }, body: form });
		expect(withApiToken.status).toBe(401);
		const notBase64 = await fetch(`${base}/assets/upload`, { method: 'POST', headers: { authorization: `Bearer ${result.jwt}` }, body: form });
		expect(notBase64.status).toBe(400);
		const done = await fetch(`${base}/assets/upload?base64=true`, { method: 'POST', headers: { authorization: `Bearer ${result.jwt}` }, body: form });
		expect(done.status).toBe(201);
	});
});
