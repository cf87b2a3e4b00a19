// State lives in the project's local state folder and survives a restart of `npm start`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '$lib/trpc';
import { startApp } from './app';

const stateDir = mkdtempSync(join(tmpdir(), 'wfp-restart-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('npm start, restarted', () => {
	it('keeps the uploaded Workers and serves them', async () => {
		const first = await startApp({}, { stateDir });
		try {
			await createPlatformClient(first.url).workers.upload.mutate({
				name: 'survivor',
				code: 'export default { fetch() { return new Response("still here") } }'
			});
		} finally {
			await first.stop();
		}

		const second = await startApp({}, { stateDir });
		try {
			const { workers } = await createPlatformClient(second.url).workers.list.query();
			expect(workers.map((w) => w.name)).toEqual(['survivor']);
			expect(await (await fetch(`${second.url}/user-workers/survivor/`)).text()).toBe('still here');
		} finally {
			await second.stop();
		}
	});
});
