import { describe, expect, it } from 'vitest';
import { hello, kvKeysHolding, ORIGIN, setup, trpcError, useEmptyKv } from './helpers';

const dispatch = async (platform: ReturnType<typeof setup>['platform'], path: string, init?: RequestInit) => {
	const { dispatchToUserWorker } = await import('$lib/server/dispatch');
	const url = new URL(path, ORIGIN);
	return dispatchToUserWorker(new Request(url, init), url, platform);
};

describe('workers router (real KV, real Worker Loader)', () => {
	useEmptyKv();

	it('uploads a Worker and serves it under /user-workers/<name>/', async () => {
		const { caller, platform } = setup();
		const record = await caller.workers.upload({ name: 'hello', code: hello() });
		expect(record).toMatchObject({
			name: 'hello',
			url: `${ORIGIN}/user-workers/hello/`,
			size: new TextEncoder().encode(hello()).length,
			compatibilityDate: '2026-08-01'
		});
		expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(record.scriptId).toMatch(/^[0-9a-f-]{36}$/);

		const response = await dispatch(platform, '/user-workers/hello/any/path?q=1', { method: 'POST', body: 'payload' });
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('hello POST /any/path?q=1 /user-workers/hello payload');
		expect(await (await dispatch(platform, '/user-workers/hello')).text()).toBe('hello GET / /user-workers/hello ');
	});

	it('serves a re-upload on the very next request, keeping the script id and creation time', async () => {
		const { caller, platform } = setup();
		const first = await caller.workers.upload({ name: 'greeter', code: hello('v1') });
		expect(await (await dispatch(platform, '/user-workers/greeter/')).text()).toMatch(/^v1 /);
		const second = await caller.workers.upload({ name: 'greeter', code: hello('v2') });
		expect(await (await dispatch(platform, '/user-workers/greeter/')).text()).toMatch(/^v2 /);
		expect(second.scriptId).toBe(first.scriptId);
		expect(second.createdAt).toBe(first.createdAt);
		expect(second.sha256).not.toBe(first.sha256);
	});

	it('gets a Worker with its source, lists, and deletes', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({ name: 'b-worker', code: hello('b') });
		await caller.workers.upload({ name: 'a-worker', code: hello('a'), compatibilityDate: '2025-01-01' });
		const got = await caller.workers.get({ name: 'a-worker' });
		expect(got.code).toBe(hello('a'));
		expect(got.compatibilityDate).toBe('2025-01-01');

		const page = await caller.workers.list({ limit: 1 });
		expect(page.workers.map((w) => w.name)).toEqual(['a-worker']);
		const rest = await caller.workers.list({ cursor: page.cursor! });
		expect(rest.workers.map((w) => w.name)).toEqual(['b-worker']);
		expect(rest.cursor).toBeNull();
		expect((await caller.workers.list()).workers).toHaveLength(2);

		expect(await caller.workers.delete({ name: 'a-worker' })).toEqual({ name: 'a-worker', deleted: true });
		expect((await dispatch(platform, '/user-workers/a-worker/')).status).toBe(404);
		expect(await trpcError(() => caller.workers.get({ name: 'a-worker' }))).toEqual({
			code: 'NOT_FOUND',
			message: 'no Worker is named "a-worker"'
		});
		expect((await trpcError(() => caller.workers.delete({ name: 'a-worker' }))).code).toBe('NOT_FOUND');
		// The local backend keeps code in the same KV namespace. A request that read the record just before
		// the delete may still be loading it, so it stays for the grace period (RETIRED_CODE_GRACE_SECONDS)
		// and then goes: none of the deleted Worker's is left.
		expect(await kvKeysHolding(hello('a'))).not.toEqual([]);
		await platform.versions.sweep(Date.now() + 61_000);
		expect(await kvKeysHolding(hello('a'))).toEqual([]);
		expect(await kvKeysHolding(hello('b'))).not.toEqual([]);
	});

	it('rejects bad input with BAD_REQUEST and leaves the existing Worker serving', async () => {
		const { caller, platform } = setup({ MAX_SCRIPT_BYTES: '400' });
		await caller.workers.upload({ name: 'keeper', code: 'export default { fetch: () => new Response("still here") }' });
		const cases: [Record<string, string>, string][] = [
			[{ name: 'Keeper' }, 'name must be lowercase'],
			[{ name: 'api' }, '"api" is reserved'],
			[{ code: 'export default {' }, 'syntax error at line 1, column 17'],
			[{ code: 'addEventListener("fetch", e => {})' }, 'Service Worker syntax'],
			[{ code: 'export default { scheduled() {} }' }, 'no fetch handler'],
			[{ code: '' }, 'code is empty'],
			[{ code: `export default { fetch: () => new Response("${'x'.repeat(500)}") }` }, 'the limit is 400 B (MAX_SCRIPT_BYTES)'],
			[{ compatibilityDate: 'yesterday' }, 'compatibilityDate must be a date like 2026-08-01'],
			[{ compatibilityDate: '2999-01-01' }, 'is in the future']
		];
		for (const [override, message] of cases) {
			const error = await trpcError(() => caller.workers.upload({ name: 'keeper', code: hello('bad'), ...override }));
			expect(error.code, JSON.stringify(override)).toBe('BAD_REQUEST');
			expect(error.message).toContain(message);
		}
		const response = await dispatch(platform, '/user-workers/keeper/');
		expect(await response.text()).toBe('still here');
	});

	it('answers 404 for unknown and impossible names, and 502 naming the Worker when it throws', async () => {
		const { caller, platform } = setup();
		for (const path of ['/user-workers/nobody/', '/user-workers/', '/user-workers/UPPER/', '/user-workers/%2e%2e/x']) {
			const response = await dispatch(platform, path);
			expect(response.status, path).toBe(404);
			expect(await response.text()).toContain('No');
		}
		await caller.workers.upload({ name: 'thrower', code: 'export default { fetch() { throw new Error("boom") } }' });
		const response = await dispatch(platform, '/user-workers/thrower/');
		expect(response.status).toBe(502);
		const page = await response.text();
		expect(page).toContain('Worker &quot;thrower&quot; failed');
		expect(page).toContain('boom');
		// ... and the platform keeps serving everything else.
		await caller.workers.upload({ name: 'fine', code: hello() });
		expect((await dispatch(platform, '/user-workers/fine/')).status).toBe(200);
	});
});
