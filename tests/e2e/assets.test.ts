// Static assets over HTTP, against the app started as `npm start` starts it (runners, real KV): a Worker
// deployed with a public/ directory through the CLI's upload helper (src/cli/assets.ts) serves its files
// without running its code, on the path form, its own origin and a version preview; other requests reach the
// Worker, which reads its files through env.ASSETS; only the Worker's owner and the operator may upload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { TRPCClientError } from '@trpc/client';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { uploadAssets } from '../../src/cli/assets';
import { startApp, type RunningApp } from './app';
import { runWfp } from './wfp';
import { DEFAULTS } from '$lib/server/config';

const TOKEN = 'e2e-admin-token-assets-0123456789';
// The smallest valid PNG: 1×1, one transparent pixel.
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
	'base64'
);
const INDEX_HTML = '<!doctype html><title>Home</title><link rel="stylesheet" href="/style.css"><h1>Hello from assets</h1>';
const ABOUT_HTML = '<!doctype html><title>About</title><p>About us</p>';
const CSS = 'h1 { color: rebeccapurple; }';

const WORKER = `export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		if (url.pathname === '/api/through-binding') {
			const asset = await env.ASSETS.fetch(new Request(new URL(url.searchParams.get('path') ?? '/style.css', url)));
			return Response.json({ status: asset.status, type: asset.headers.get('content-type'), body: await asset.text() });
		}
		return new Response('from the Worker: ' + request.method + ' ' + url.pathname, { headers: { 'x-ran': 'worker' } });
	}
}`;

let app: RunningApp;
let dir: string;
const admin = () => createPlatformClient(app.url, { token: TOKEN });
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
	app = await startApp({ PLATFORM_ADMIN_TOKEN: TOKEN });
	dir = await mkdtemp(join(tmpdir(), 'wfp-assets-'));
	await mkdir(join(dir, 'public', 'img'), { recursive: true });
	await writeFile(join(dir, 'public', 'index.html'), INDEX_HTML);
	await writeFile(join(dir, 'public', 'about.html'), ABOUT_HTML);
	await writeFile(join(dir, 'public', 'style.css'), CSS);
	await writeFile(join(dir, 'public', 'img', 'logo.png'), PNG);
});
afterAll(async () => {
	await app?.stop();
	if (dir) await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<TRPCClientError<any>> {
	const error = await promise.then(
		() => {
			throw new Error('expected the call to be refused');
		},
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(TRPCClientError);
	return error as TRPCClientError<any>;
}

/** A GET with a Host header (the Worker's own origin, `<name>.localhost:<port>`). */
function getWithHost(host: string, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
	const { port } = new URL(app.url);
	return new Promise((resolve, reject) => {
		const call = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk) => (body += chunk));
			response.on('end', () => resolve({ status: response.statusCode!, body, headers: response.headers }));
		});
		call.on('error', reject);
		call.end();
	});
}

async function deploySite(client: PlatformClient, name: string, message?: string) {
	const upload = await uploadAssets(client, name, join(dir, 'public'));
	const record = await client.workers.upload.mutate({ name, code: WORKER, assets: upload.assets, message });
	return { upload, record };
}

describe('static assets (npm start)', () => {
	it('serves / as index.html, each file with its content type, ETag, caching headers and 304s, without running the Worker', async () => {
		const { upload, record } = await deploySite(admin(), 'site');
		expect(upload).toMatchObject({ files: 4, uploaded: 4 });
		expect(record.assets).toBe(true);
		const base = `${app.url}/user-workers/site`;

		const home = await fetch(`${base}/`);
		expect(home.status).toBe(200);
		expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(home.headers.get('x-ran')).toBeNull();
		expect(home.headers.get('etag')).toBe(`"${sha256(INDEX_HTML)}"`);
		expect(home.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
		expect(await home.text()).toBe(INDEX_HTML);

		const css = await fetch(`${base}/style.css`);
		expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
		expect(await css.text()).toBe(CSS);

		const png = await fetch(`${base}/img/logo.png`);
		expect(png.status).toBe(200);
		expect(png.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await png.arrayBuffer())).toEqual(PNG);

		// html_handling: "/about" serves about.html.
		const about = await fetch(`${base}/about`);
		expect(about.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(await about.text()).toBe(ABOUT_HTML);

		const etag = css.headers.get('etag')!;
		const revalidated = await fetch(`${base}/style.css`, { headers: { 'if-none-match': etag } });
		expect(revalidated.status).toBe(304);
		expect(revalidated.headers.get('etag')).toBe(etag);
		expect(await revalidated.text()).toBe('');
		const changed = await fetch(`${base}/style.css`, { headers: { 'if-none-match': '"something-else"' } });
		expect(changed.status).toBe(200);

		const head = await fetch(`${base}/img/logo.png`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-type')).toBe('image/png');
		expect(head.headers.get('etag')).toBe(`"${sha256(PNG)}"`);
		expect(await head.text()).toBe('');
	});

	it('sends other paths and methods to the Worker, which reads its assets through env.ASSETS', async () => {
		const base = `${app.url}/user-workers/site`;
		const other = await fetch(`${base}/not/an/asset`);
		expect(other.headers.get('x-ran')).toBe('worker');
		expect(await other.text()).toBe('from the Worker: GET /not/an/asset');
		const post = await fetch(`${base}/style.css`, { method: 'POST', body: 'x' });
		expect(await post.text()).toBe('from the Worker: POST /style.css');

		const binding = await fetch(`${base}/api/through-binding`);
		expect(await binding.json()).toEqual({ status: 200, type: 'text/css; charset=utf-8', body: CSS });
		const home = await fetch(`${base}/api/through-binding?path=/`);
		expect(await home.json()).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: INDEX_HTML });
		const missing = await fetch(`${base}/api/through-binding?path=/nothing-here`);
		expect(await missing.json()).toMatchObject({ status: 404 });
		// An encoded path stays inside the Worker's own assets.
		const escape = await fetch(`${base}/api/through-binding?path=${encodeURIComponent('/..%2F..%2Fscripts%2Fx')}`);
		expect(await escape.json()).toMatchObject({ status: 404 });
	});

	it('serves the assets on the Worker\'s own origin and on a version preview; a version without assets has none', async () => {
		const { port } = new URL(app.url);
		const own = await getWithHost(`site.localhost:${port}`, '/');
		expect(own.status).toBe(200);
		expect(own.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(own.body).toBe(INDEX_HTML);

		const client = admin();
		const withAssets = (await client.workers.get.query({ name: 'site' })).version;
		// A new version of the code alone has no assets; `keep` carries the serving version's over.
		const bare = await client.workers.upload.mutate({ name: 'site', code: WORKER });
		expect(bare.assets).toBeUndefined();
		expect(await (await fetch(`${app.url}/user-workers/site/`)).text()).toBe('from the Worker: GET /');
		const preview = await fetch(`${app.url}/user-workers/site@${withAssets}/style.css`);
		expect(preview.headers.get('content-type')).toBe('text/css; charset=utf-8');
		expect(await preview.text()).toBe(CSS);

		await client.workers.rollback.mutate({ name: 'site', version: withAssets });
		const kept = await client.workers.upload.mutate({ name: 'site', code: WORKER, assets: { keep: true } });
		expect(kept.assets).toBe(true);
		expect(await (await fetch(`${app.url}/user-workers/site/style.css`)).text()).toBe(CSS);
	});

	it('uploads only what the owner lacks: a second Worker with the same files sends none', async () => {
		const { upload } = await deploySite(admin(), 'site-copy');
		expect(upload).toMatchObject({ files: 4, uploaded: 0 });
		expect(await (await fetch(`${app.url}/user-workers/site-copy/about`)).text()).toBe(ABOUT_HTML);
	});

	it('deploys with `wfp deploy <file> --assets <dir>`', async () => {
		await writeFile(join(dir, 'worker.js'), WORKER);
		const env = { WFP_URL: app.url, WFP_TOKEN: TOKEN, XDG_CONFIG_HOME: join(dir, 'config') };
		const result = await runWfp(['deploy', join(dir, 'worker.js'), '--name', 'cli-site', '--assets', join(dir, 'public')], env);
		expect(result.stderr).toMatch(/assets: 4 files, 0 uploaded/);
		expect(result.code).toBe(0);
		const home = await fetch(`${app.url}/user-workers/cli-site/`);
		expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(await home.text()).toBe(INDEX_HTML);
	});

	it('refuses a file over the limit, naming it, and a hash that does not match its bytes', async () => {
		const client = admin();
		const big = await refusal(
			client.assets.start.mutate({ name: 'too-big', manifest: { '/huge.bin': { hash: 'a'.repeat(64), size: 50 * 1024 * 1024 } } })
		);
		expect(big.data?.code).toBe('BAD_REQUEST');
		expect(big.message).toMatch(/asset \/huge\.bin is 50(\.0)? MiB; the limit per file is 1(\.0)? MiB/);
		const bad = await refusal(client.assets.start.mutate({ name: 'too-big', manifest: { '../x': { hash: 'a'.repeat(64), size: 1 } } }));
		expect(bad.message).toMatch(/must start with "\/"/);

		const { session } = await client.assets.start.mutate({ name: 'liar', manifest: { '/a.txt': { hash: sha256('true'), size: 4 } } });
		const lie = await refusal(client.assets.upload.mutate({ session, files: [{ hash: sha256('true'), base64: Buffer.from('fake').toString('base64') }] }));
		expect(lie.message).toMatch(/different SHA-256/);
		const incomplete = await refusal(client.workers.upload.mutate({ name: 'liar', code: WORKER, assets: { session } }));
		expect(incomplete.message).toMatch(/not uploaded yet: \/a\.txt/);
	});

	it('refuses an empty manifest on the Cloudflare-compatible API too, naming the problem (400)', async () => {
		const { result } = (await (await fetch(`${app.url}/client/v4/accounts`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
			result: { id: string }[];
		};
		const namespaces = (await (
			await fetch(`${app.url}/client/v4/accounts/${result[0].id}/workers/dispatch/namespaces`, { headers: { authorization: `Bearer ${TOKEN}` } })
		).json()) as { result: { namespace_name: string }[] };
		const session = await fetch(
			`${app.url}/client/v4/accounts/${result[0].id}/workers/dispatch/namespaces/${namespaces.result[0].namespace_name}/scripts/site/assets-upload-session`,
			{ method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ manifest: {} }) }
		);
		expect(session.status).toBe(400);
		const { errors } = (await session.json()) as { errors: { message: string }[] };
		expect(errors[0].message).toBe('the asset manifest is empty');
	});

	it("takes a Cloudflare-compatible upload's buckets by their upload token, which the auth-failure throttle does not count as a wrong token", async () => {
		const { accountId, namespace } = DEFAULTS;
		const hash = 'e'.repeat(32);
		const started = await fetch(`${app.url}/client/v4/accounts/${accountId}/workers/dispatch/namespaces/${namespace}/scripts/bucketed/assets-upload-session`, {
			method: 'POST',
			headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
			body: JSON.stringify({ manifest: { '/e.txt': { hash, size: 1 } } })
		});
		const { result } = (await started.json()) as { result: { jwt: string } };
		// More buckets than the AUTH_MAX_FAILURES_PER_MINUTE (10) wrong tokens a client may send.
		for (let i = 0; i < 12; i++) {
			const form = new FormData();
			form.append(hash, new File([btoa('e')], hash, { type: 'text/plain' }));
			const bucket = await fetch(`${app.url}/client/v4/accounts/${accountId}/workers/assets/upload?base64=true`, {
				method: 'POST',
				headers: { authorization: `Bearer ${result.jwt}` },
				body: form
			});
			expect(bucket.status).toBe(201);
		}
		expect((await fetch(`${app.url}/client/v4/accounts`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
	});

	it("lets only the Worker's owner and the operator upload: another customer and an anonymous caller are refused", async () => {
		const operator = admin();
		const acme = await operator.customers.create.mutate({ name: 'Acme' });
		const globex = await operator.customers.create.mutate({ name: 'Globex' });
		const acmeClient = createPlatformClient(app.url, { token: (await operator.tokens.create.mutate({ customerId: acme.id, label: 'ci' })).token });
		const globexClient = createPlatformClient(app.url, { token: (await operator.tokens.create.mutate({ customerId: globex.id, label: 'ci' })).token });
		const anonymous = createPlatformClient(app.url);

		// Acme's secret file, deployed by Acme.
		const secret = 'acme-only secret contents';
		const secretHash = sha256(secret);
		const manifest = { '/secret.txt': { hash: secretHash, size: secret.length } };
		const acmeSession = await acmeClient.assets.start.mutate({ name: 'acme-site', manifest });
		expect(acmeSession.missing).toEqual([secretHash]);
		const secretFile = { hash: secretHash, base64: Buffer.from(secret).toString('base64') };
		await acmeClient.assets.upload.mutate({ session: acmeSession.session, files: [secretFile] });

		// Anonymous: no session, no upload.
		expect((await refusal(anonymous.assets.start.mutate({ name: 'anon-site', manifest }))).data?.code).toBe('UNAUTHORIZED');
		expect((await refusal(anonymous.assets.upload.mutate({ session: acmeSession.session, files: [] }))).data?.code).toBe('UNAUTHORIZED');

		// Globex may not use Acme's open session, for Acme's Worker or its own.
		const stolen = await refusal(globexClient.assets.upload.mutate({ session: acmeSession.session, files: [secretFile] }));
		expect(stolen.message).toMatch(/no such asset upload session/);
		const borrowed = await refusal(globexClient.workers.upload.mutate({ name: 'globex-site', code: WORKER, assets: { session: acmeSession.session } }));
		expect(borrowed.message).toMatch(/no such asset upload session/);

		await acmeClient.workers.upload.mutate({ name: 'acme-site', code: WORKER, assets: { session: acmeSession.session } });
		expect(await (await fetch(`${app.url}/user-workers/acme-site/secret.txt`)).text()).toBe(secret);
		// Nor start a session for Acme's Worker.
		expect((await refusal(globexClient.assets.start.mutate({ name: 'acme-site', manifest }))).data?.code).toBe('CONFLICT');
		// A session makes one version.
		const reused = await refusal(acmeClient.workers.upload.mutate({ name: 'acme-site', code: WORKER, assets: { session: acmeSession.session } }));
		expect(reused.message).toMatch(/no such asset upload session/);

		// Naming Acme's hash does not give Globex Acme's file: its own namespace lacks it, so it must upload it.
		const globexSession = await globexClient.assets.start.mutate({ name: 'globex-site', manifest });
		expect(globexSession.missing).toEqual([secretHash]);
		const blocked = await refusal(globexClient.workers.upload.mutate({ name: 'globex-site', code: WORKER, assets: { session: globexSession.session } }));
		expect(blocked.message).toMatch(/not uploaded yet: \/secret\.txt/);
		expect((await fetch(`${app.url}/user-workers/globex-site/secret.txt`)).status).toBe(404);

		// The operator may upload for Acme's Worker; the files go to Acme's namespace, which has them.
		const operatorSession = await operator.assets.start.mutate({ name: 'acme-site', manifest });
		expect(operatorSession.missing).toEqual([]);
		const redeployed = await operator.workers.upload.mutate({ name: 'acme-site', code: WORKER, assets: { session: operatorSession.session } });
		expect(redeployed.customerId).toBe(acme.id);
		expect(await (await fetch(`${app.url}/user-workers/acme-site/secret.txt`)).text()).toBe(secret);
	});
});
