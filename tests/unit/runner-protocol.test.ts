// The app pins each script to one runner process by a hash of its script id (src/lib/server/runner-protocol.ts).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runnerIndex } from '$lib/server/runner-protocol';

describe('runnerIndex', () => {
	it('gives a script the same runner every time, from its id alone', () => {
		// Fixed values: a change of hash moves every Worker to another runner, so it must be deliberate.
		expect(runnerIndex('hello-id', 2)).toBe(1);
		expect(runnerIndex('hello-id', 7)).toBe(runnerIndex('hello-id', 7));
		expect([0, 1, 2, 3].map((i) => runnerIndex(`00000000-0000-4000-8000-00000000000${i}`, 4))).toEqual([1, 2, 3, 0]);
	});

	it('spreads random script ids evenly over the runners', () => {
		const counts = [0, 0, 0, 0];
		for (let i = 0; i < 4000; i++) counts[runnerIndex(randomUUID(), 4)]++;
		for (const count of counts) expect(count).toBeGreaterThan(800);
	});

	it('uses the one runner there is', () => {
		expect(runnerIndex(randomUUID(), 1)).toBe(0);
	});
});
