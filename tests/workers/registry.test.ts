import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { WorkerRegistry, type StoredWorker } from '$lib/server/registry';
import { useEmptyKv } from './helpers';

const record = (name: string): StoredWorker => ({
	name,
	scriptId: `id-${name}`,
	version: 1,
	settings: 'none',
	deployment: 1,
	sha256: 'ab'.repeat(32),
	size: 10,
	compatibilityDate: '2026-08-01',
	createdAt: '2026-11-01T00:00:00.000Z',
	updatedAt: '2026-11-01T00:00:00.000Z'
});

describe('WorkerRegistry (real KV)', () => {
	useEmptyKv();

	it('puts, gets and deletes records', async () => {
		const registry = new WorkerRegistry(env.WORKER_MAPPINGS);
		await registry.put(record('one'));
		expect(await registry.get('one')).toEqual(record('one'));
		await registry.delete('one');
		expect(await registry.get('one')).toBeNull();
	});

	it('lists in name order, a page at a time, from KV metadata', async () => {
		const registry = new WorkerRegistry(env.WORKER_MAPPINGS);
		const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
		for (const name of names) await registry.put(record(name));
		const first = await registry.list({ limit: 2 });
		expect(first.workers.map((w) => w.name)).toEqual(['alpha', 'bravo']);
		expect(first.cursor).toBeTypeOf('string');
		const second = await registry.list({ limit: 2, cursor: first.cursor! });
		expect(second.workers.map((w) => w.name)).toEqual(['charlie', 'delta']);
		const third = await registry.list({ limit: 2, cursor: second.cursor! });
		expect(third.workers.map((w) => w.name)).toEqual(['echo']);
		expect(third.cursor).toBeNull();
		expect(third.workers[0]).toEqual(record('echo'));
	});

	it('lookup serves from the in-isolate cache and sees this isolate’s writes at once', async () => {
		const registry = new WorkerRegistry(env.WORKER_MAPPINGS);
		await registry.put(record('cached'));
		// Written behind the registry's back (as another isolate would): the cache still answers ...
		await env.WORKER_MAPPINGS.delete('worker:cached');
		expect(await registry.lookup('cached')).toEqual(record('cached'));
		// ... until this isolate writes: then the change is visible at once.
		await registry.delete('cached');
		expect(await registry.lookup('cached')).toBeNull();
		await registry.put({ ...record('cached'), sha256: 'cd'.repeat(32) });
		expect((await registry.lookup('cached'))?.sha256).toBe('cd'.repeat(32));
	});
});
