// The dispatcher's record cache (WorkerRegistry.lookup) over a real KV namespace. Each isolate has its
// own RecordCache (the composition root owns it): two caches over one namespace stand in for two isolates.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECORD_CACHE_TTL_MS, RecordCache, WorkerRegistry, type StoredWorker } from '$lib/server/registry';
import { useEmptyKv } from './helpers';

const version = (name: string, sha: string): StoredWorker => ({
	name,
	scriptId: `id-${name}`,
	version: 1,
	settings: 'none',
	deployment: 1,
	sha256: sha.repeat(32),
	size: 10,
	compatibilityDate: '2026-08-01',
	createdAt: '2026-11-01T00:00:00.000Z',
	updatedAt: '2026-11-01T00:00:00.000Z'
});

const isolate = () => new WorkerRegistry(env.WORKER_MAPPINGS, new RecordCache());

describe('the dispatch cache', () => {
	useEmptyKv();
	afterEach(() => vi.useRealTimers());

	it('shows this isolate an update and a delete on the very next lookup', async () => {
		const cache = new RecordCache();
		const registry = new WorkerRegistry(env.WORKER_MAPPINGS, cache);
		await registry.put(version('same-isolate', 'aa'));
		expect((await registry.lookup('same-isolate'))?.sha256).toBe('aa'.repeat(32));
		// Another request's registry in the same isolate shares the isolate's cache.
		await new WorkerRegistry(env.WORKER_MAPPINGS, cache).put(version('same-isolate', 'bb'));
		expect((await registry.lookup('same-isolate'))?.sha256).toBe('bb'.repeat(32));
		await registry.delete('same-isolate');
		expect(await registry.lookup('same-isolate')).toBeNull();
		await registry.put(version('same-isolate', 'cc'));
		expect((await registry.lookup('same-isolate'))?.sha256).toBe('cc'.repeat(32));
	});

	it('shows another isolate an update and a delete once its cached record is older than the TTL', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const writer = isolate();
		const otherIsolate = isolate();
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

	it('serves an upload from the other isolate at once, although this one just found no such Worker', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const writer = isolate();
		const otherIsolate = isolate();
		expect(await otherIsolate.lookup('uploaded-later')).toBeNull();
		await writer.put(version('uploaded-later', 'aa'));
		vi.advanceTimersByTime(1); // well within the TTL
		expect((await otherIsolate.lookup('uploaded-later'))?.sha256).toBe('aa'.repeat(32));
	});
});

describe('RecordCache', () => {
	it('holds at most maxEntries names and forgets the least recently used first', () => {
		const cache = new RecordCache(2, 60_000);
		cache.set('a', version('a', 'aa'), 0);
		cache.set('b', version('b', 'bb'), 0);
		expect(cache.get('a', 1)?.name).toBe('a'); // a is now the most recently used
		cache.set('c', version('c', 'cc'), 1);
		expect(cache.size).toBe(2);
		expect(cache.get('b', 2)).toBeUndefined();
		expect(cache.get('a', 2)?.name).toBe('a');
		expect(cache.get('c', 2)?.name).toBe('c');
	});

	it('drops an entry once its TTL has passed', () => {
		const cache = new RecordCache(10, 1000);
		cache.set('a', version('a', 'aa'), 0);
		expect(cache.get('a', 999)?.name).toBe('a');
		expect(cache.get('a', 1000)).toBeUndefined();
		expect(cache.size).toBe(0);
	});
});
