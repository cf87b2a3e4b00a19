// The dispatcher's record cache (WorkerRegistry.lookup) over a real KV namespace. Two KV bindings to the
// same namespace (vitest.config.ts) stand in for two isolates: each binding object has its own cache, as
// each isolate does.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECORD_CACHE_TTL_MS, WorkerRegistry, type StoredWorker } from '$lib/server/registry';
import { useEmptyKv } from './helpers';

// Each test uses its own name: the cache lives as long as the isolate, across tests.
const version = (name: string, sha: string): StoredWorker => ({
	name,
	scriptId: `id-${name}`,
	sha256: sha.repeat(32),
	size: 10,
	compatibilityDate: '2026-08-01',
	createdAt: '2026-11-01T00:00:00.000Z',
	updatedAt: '2026-11-01T00:00:00.000Z'
});

describe('the dispatch cache', () => {
	useEmptyKv();
	afterEach(() => vi.useRealTimers());

	it('shows this isolate an update and a delete on the very next lookup', async () => {
		const registry = new WorkerRegistry(env.WORKER_MAPPINGS);
		await registry.put(version('same-isolate', 'aa'));
		expect((await registry.lookup('same-isolate'))?.sha256).toBe('aa'.repeat(32));
		// A second registry in the same isolate (as each request's platform would be) shares the cache.
		await new WorkerRegistry(env.WORKER_MAPPINGS).put(version('same-isolate', 'bb'));
		expect((await registry.lookup('same-isolate'))?.sha256).toBe('bb'.repeat(32));
		await registry.delete('same-isolate');
		expect(await registry.lookup('same-isolate')).toBeNull();
		await registry.put(version('same-isolate', 'cc'));
		expect((await registry.lookup('same-isolate'))?.sha256).toBe('cc'.repeat(32));
	});

	it('shows another isolate an update and a delete once its cached record is older than the TTL', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const writer = new WorkerRegistry(env.WORKER_MAPPINGS);
		const otherIsolate = new WorkerRegistry(env.WORKER_MAPPINGS_OTHER_ISOLATE);
		await writer.put(version('other-isolate', 'aa'));
		expect((await otherIsolate.lookup('other-isolate'))?.sha256).toBe('aa'.repeat(32));

		await writer.put(version('other-isolate', 'bb'));
		vi.advanceTimersByTime(RECORD_CACHE_TTL_MS - 1);
		expect((await otherIsolate.lookup('other-isolate'))?.sha256).toBe('aa'.repeat(32)); // still within the TTL
		vi.advanceTimersByTime(1);
		expect((await otherIsolate.lookup('other-isolate'))?.sha256).toBe('bb'.repeat(32));

		await writer.delete('other-isolate');
		vi.advanceTimersByTime(RECORD_CACHE_TTL_MS);
		expect(await otherIsolate.lookup('other-isolate')).toBeNull();
	});

	it('lets an upload in the other isolate replace a cached "no such Worker" within the TTL', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const writer = new WorkerRegistry(env.WORKER_MAPPINGS);
		const otherIsolate = new WorkerRegistry(env.WORKER_MAPPINGS_OTHER_ISOLATE);
		expect(await otherIsolate.lookup('uploaded-later')).toBeNull();
		await writer.put(version('uploaded-later', 'aa'));
		vi.advanceTimersByTime(RECORD_CACHE_TTL_MS);
		expect((await otherIsolate.lookup('uploaded-later'))?.sha256).toBe('aa'.repeat(32));
	});
});
