// Static assets' storage over real KV and D1 (src/lib/server/assets/): upload sessions, per-owner
// content-addressed blobs shared by versions and Workers, the manifest stored with each version, serving
// through the dispatcher, the bounds, and the retention of manifests and blobs.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callerFor, ORIGIN, setup, trpcError, useEmptyKv } from './helpers';
import { dispatchToUserWorker } from '$lib/server/dispatch';
import { ANONYMOUS } from '$lib/server/principal';
import { AssetRetention } from '$lib/server/assets/retention';
import { blobKey, manifestKey, MAX_ASSET_FILES } from '$lib/server/assets/manifest';
import type { Platform } from '$lib/server/platform';
import { ASSETS_WORKER, deployWithAssets as deploy, sha256 } from './asset-helpers';

const HOUR = 3600_000;

const get = async (platform: Platform, path: string, init?: RequestInit) => {
	const url = new URL(path, ORIGIN);
	return dispatchToUserWorker(new Request(url, init), url, platform);
};

async function blobKeys(): Promise<string[]> {
	return (await env.WORKER_MAPPINGS.list({ prefix: 'assets:blob:' })).keys.map((key) => key.name);
}

describe('static assets (real KV and D1)', () => {
	useEmptyKv();

	it('stores each file once per owner: a second version and a second Worker upload nothing new', async () => {
		const { caller } = setup();
		const files = { '/index.html': '<h1>home</h1>', '/a.css': 'a{}', '/copy.css': 'a{}' };
		const first = await deploy(caller, 'one', files);
		expect(first.started.missing).toHaveLength(2); // two distinct contents
		expect(first.record.assets).toBe(true);
		const again = await deploy(caller, 'one', { ...files, '/new.txt': 'new' });
		expect(again.started.missing).toEqual([await sha256('new')]);
		const other = await deploy(caller, 'two', files);
		expect(other.started.missing).toEqual([]);
		expect((await blobKeys()).sort()).toEqual(
			[blobKey('operator', await sha256('<h1>home</h1>')), blobKey('operator', await sha256('a{}')), blobKey('operator', await sha256('new'))].sort()
		);
	});

	it('keeps the manifest with the version: immutable, absent for a version without assets, served by the dispatcher', async () => {
		const { caller, platform } = setup();
		const { record } = await deploy(caller, 'site', { '/index.html': '<p>v1</p>', '/docs/index.html': 'docs' });
		const manifest = await env.WORKER_MAPPINGS.get(manifestKey(record.scriptId, record.version), 'json');
		expect(manifest).toEqual({
			owner: 'operator',
			files: {
				'/index.html': { hash: await sha256('<p>v1</p>'), size: 9, contentType: 'text/html; charset=utf-8' },
				'/docs/index.html': { hash: await sha256('docs'), size: 4, contentType: 'text/html; charset=utf-8' }
			}
		});
		const home = await get(platform, '/user-workers/site/');
		expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(await home.text()).toBe('<p>v1</p>');
		expect(await (await get(platform, '/user-workers/site/docs')).text()).toBe('docs');
		expect(await (await get(platform, '/user-workers/site/docs/')).text()).toBe('docs');
		expect(await (await get(platform, '/user-workers/site/missing')).text()).toBe('worker /missing');

		const bare = await caller.workers.upload({ name: 'site', code: ASSETS_WORKER });
		expect(bare.assets).toBeUndefined();
		expect(await env.WORKER_MAPPINGS.get(manifestKey(bare.scriptId, bare.version))).toBeNull();
		expect(await (await get(platform, '/user-workers/site/')).text()).toBe('worker /');
		// The earlier version still serves its assets on its preview, and again after a rollback.
		expect(await (await get(platform, `/user-workers/site@${record.version}/`)).text()).toBe('<p>v1</p>');
		const rolledBack = await caller.workers.rollback({ name: 'site', version: record.version });
		expect(rolledBack.assets).toBe(true);
		expect(await (await get(platform, '/user-workers/site/')).text()).toBe('<p>v1</p>');
	});

	it('refuses manifests over the bounds and bad paths with BAD_REQUEST naming the file and the limit', async () => {
		const { caller } = setup();
		const hash = await sha256('x');
		const tooMany = Object.fromEntries(Array.from({ length: MAX_ASSET_FILES + 1 }, (_, i) => [`/f${i}.txt`, { hash, size: 1 }]));
		expect(await trpcError(() => caller.assets.start({ name: 'big', manifest: tooMany }))).toEqual({
			code: 'BAD_REQUEST',
			message: `${MAX_ASSET_FILES + 1} asset files; a version may have at most ${MAX_ASSET_FILES}`
		});
		const large = await trpcError(() => caller.assets.start({ name: 'big', manifest: { '/video.mp4': { hash, size: 2 * 1024 * 1024 } } }));
		expect(large.code).toBe('BAD_REQUEST');
		expect(large.message).toMatch(/^asset \/video\.mp4 is 2(\.0)? MiB; the limit per file is 1(\.0)? MiB$/);
		for (const path of ['/a/../b', 'no-slash', '/dir/', '/a//b'])
			expect((await trpcError(() => caller.assets.start({ name: 'big', manifest: { [path]: { hash, size: 1 } } }))).code).toBe('BAD_REQUEST');
		expect((await trpcError(() => caller.assets.start({ name: 'big', manifest: { '/a': { hash: 'abc', size: 1 } } }))).message).toMatch(
			/hash must be the file's SHA-256/
		);
		const { session } = await caller.assets.start({ name: 'big', manifest: { '/a.txt': { hash, size: 1 } } });
		const other = await sha256('y');
		expect((await trpcError(() => caller.assets.upload({ session, files: [{ hash: other, base64: btoa('y') }] }))).message).toMatch(
			/is not in this session's manifest/
		);
	});

	it('removes pruned versions\' manifests, then the blobs no kept version references (after the upload-session window)', async () => {
		const { caller, platform } = setup({ VERSION_RETENTION: '1', RETIRED_CODE_GRACE_SECONDS: '0' });
		const v1 = (await deploy(caller, 'kept', { '/old.txt': 'old', '/shared.txt': 'shared' })).record;
		const v2 = (await deploy(caller, 'kept', { '/new.txt': 'new', '/shared.txt': 'shared' })).record;
		// v1 is pruned with a zero grace period: its manifest goes at once.
		expect(await env.WORKER_MAPPINGS.get(manifestKey(v1.scriptId, v1.version))).toBeNull();
		expect(await env.WORKER_MAPPINGS.get(manifestKey(v2.scriptId, v2.version))).not.toBeNull();
		const retention = new AssetRetention(env.DB, platform.assets);
		// Blobs younger than an upload session stay, whatever references them.
		expect(await retention.sweep('operator')).toBe(0);
		expect(await retention.sweep('operator', Date.now() + 2 * HOUR)).toBe(1);
		expect((await blobKeys()).sort()).toEqual([blobKey('operator', await sha256('new')), blobKey('operator', await sha256('shared'))].sort());
		expect(await (await get(platform, '/user-workers/kept/shared.txt')).text()).toBe('shared');

		// Deleting the Worker retires its manifests; then its blobs go too.
		await caller.workers.delete({ name: 'kept' });
		expect(await env.WORKER_MAPPINGS.get(manifestKey(v2.scriptId, v2.version))).toBeNull();
		expect(await retention.sweep('operator', Date.now() + 2 * HOUR)).toBe(2);
		expect(await blobKeys()).toEqual([]);
	});

	it('leaves an owner with an open upload session alone, and keeps blobs referenced by a manifest in its grace period', async () => {
		const { caller, platform } = setup({ VERSION_RETENTION: '1' });
		const v1 = (await deploy(caller, 'graced', { '/old.txt': 'old' })).record;
		await deploy(caller, 'graced', { '/new.txt': 'new' });
		// v1 is pruned but its manifest waits out the grace period, so its blob is still referenced.
		expect(await env.WORKER_MAPPINGS.get(manifestKey(v1.scriptId, v1.version))).not.toBeNull();
		const retention = new AssetRetention(env.DB, platform.assets);
		expect(await retention.sweep('operator', Date.now() + 2 * HOUR)).toBe(0);
		await caller.assets.start({ name: 'graced', manifest: { '/x.txt': { hash: await sha256('x'), size: 1 } } });
		await env.DB.prepare('DELETE FROM retired_code').run();
		expect(await retention.sweep('operator', Date.now() + 2 * HOUR)).toBe(0);
	});

	it("bounds each customer's stored asset bytes by its plan (maxAssetBytes): files it has count once, the operator has no bound", async () => {
		const { platform, caller: operator } = setup();
		const small = await operator.customers.create({ name: 'Small', plan: { maxAssetBytes: 20 } });
		const as = callerFor(platform, { kind: 'customer', customerId: small.id, customerName: small.name, tokenId: null });
		await deploy(as, 'small-site', { '/a.txt': '0123456789', '/b.txt': 'abcde' }); // 15 bytes
		// An unchanged file costs nothing: this version adds 5 bytes (20 in all).
		await deploy(as, 'small-site', { '/a.txt': '0123456789', '/c.txt': 'fghij' });
		const over = await trpcError(() => deploy(as, 'small-site', { '/a.txt': '0123456789', '/d.txt': 'x' }));
		expect(over).toEqual({
			code: 'FORBIDDEN',
			message:
				"these assets would bring Small's stored static assets to 21 B (20 B stored, 1 B new); the plan allows 20 B (plan.maxAssetBytes): files of deleted Workers and pruned versions are freed when they are swept (after RETIRED_CODE_GRACE_SECONDS), or ask the operator for a larger plan"
		});
		expect(await blobKeys()).toHaveLength(3);
		// The operator, uploading for a Worker of its own, is not bound by any plan.
		await deploy(operator, 'operator-site', { '/big.txt': 'x'.repeat(100) });
		// A larger plan lets the customer go on.
		await operator.customers.update({ id: small.id, plan: { maxAssetBytes: 100 } });
		await deploy(as, 'small-site', { '/a.txt': '0123456789', '/d.txt': 'x' });
	});

	it("keeps what a client's hash names (a bucket for a hash the owner has is ignored), counts each bucket against the plan, and takes buckets only for client-hash sessions", async () => {
		const { platform, caller: operator } = setup();
		const tiny = await operator.customers.create({ name: 'Tiny', plan: { maxAssetBytes: 12 } });
		const principal = { kind: 'customer', customerId: tiny.id, customerName: tiny.name, tokenId: null } as const;
		const uploads = platform.assetUploads;
		const client = (letter: string) => letter.repeat(32);
		const session = (path: string, hash: string) => uploads.start(principal, { name: 'tiny-site', manifest: { [path]: { hash, size: 5 } }, hashes: 'client' });

		const first = await session('/a.txt', client('a'));
		expect(first.missing).toEqual([client('a')]);
		expect(await uploads.uploadToSession(first.session, [{ hash: client('a'), base64: btoa('hello') }])).toEqual({ stored: 1, complete: true });
		// The holder of another session's upload token cannot re-point the hash to other bytes.
		const second = await session('/a.txt', client('a'));
		expect(second.missing).toEqual([]);
		expect(await uploads.uploadToSession(second.session, [{ hash: client('a'), base64: btoa('evil!') }])).toEqual({ stored: 0, complete: true });
		const manifest = await uploads.complete(principal, { session: second.session, name: 'tiny-site', owner: tiny.id });
		expect(manifest.files['/a.txt'].hash).toBe(await sha256('hello'));

		// Two sessions started side by side each fit (5 stored + 5 new of 12); their buckets together do not.
		const third = await session('/b.txt', client('b'));
		const fourth = await session('/c.txt', client('c'));
		await uploads.uploadToSession(third.session, [{ hash: client('b'), base64: btoa('bbbbb') }]);
		const over = await uploads.uploadToSession(fourth.session, [{ hash: client('c'), base64: btoa('ccccc') }]).catch((error: Error) => error);
		expect(over).toMatchObject({ kind: 'quota', message: expect.stringContaining("bring Tiny's stored static assets to 15 B (10 B stored, 5 B new)") });

		const trpcSession = await uploads.start(principal, { name: 'tiny-site', manifest: { '/d.txt': { hash: await sha256('d'), size: 1 } } });
		const refused = await uploads.uploadToSession(trpcSession.session, [{ hash: await sha256('d'), base64: btoa('d') }]).catch((error: Error) => error);
		expect(refused).toMatchObject({ kind: 'input', message: "this upload session takes its files through assets.upload, with its caller's token" });
	});

	it("keeps each customer's files in its own namespace: lists them to the owner and the operator only, and a customer's deletion removes them", async () => {
		const { platform, caller: operator } = setup();
		const acme = await operator.customers.create({ name: 'Acme' });
		const globex = await operator.customers.create({ name: 'Globex' });
		const as = (customerId: string) => callerFor(platform, { kind: 'customer', customerId, customerName: customerId, tokenId: null });
		const files = { '/index.html': '<p>acme</p>' };
		const { record } = await deploy(as(acme.id), 'acme-site', files);
		expect(await blobKeys()).toEqual([blobKey(acme.id, await sha256('<p>acme</p>'))]);
		// The same bytes for Globex are Globex's own upload, stored in its namespace.
		const globexDeploy = await deploy(as(globex.id), 'globex-site', files);
		expect(globexDeploy.started.missing).toEqual([await sha256('<p>acme</p>')]);
		expect(await blobKeys()).toHaveLength(2);

		const listed = { version: record.version, files: [{ path: '/index.html', hash: await sha256('<p>acme</p>'), size: 11, contentType: 'text/html; charset=utf-8' }] };
		expect(await as(acme.id).assets.list({ name: 'acme-site' })).toEqual(listed);
		expect(await operator.assets.list({ name: 'acme-site', version: record.version })).toEqual(listed);
		expect((await trpcError(() => as(globex.id).assets.list({ name: 'acme-site' }))).code).toBe('NOT_FOUND');
		expect((await trpcError(() => callerFor(platform, ANONYMOUS).assets.list({ name: 'acme-site' }))).code).toBe('UNAUTHORIZED');
		expect((await trpcError(() => operator.assets.list({ name: 'acme-site', version: 99 }))).code).toBe('NOT_FOUND');

		await operator.customers.delete({ id: acme.id });
		expect(await blobKeys()).toEqual([blobKey(globex.id, await sha256('<p>acme</p>'))]);
	});
});
