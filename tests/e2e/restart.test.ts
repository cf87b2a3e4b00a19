// State lives in the project's local state folder and survives a restart of `npm start`; a second
// `npm start` on a port that is taken says so and leaves the first one serving.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '$lib/trpc';
import { createServer } from 'node:http';
import { isPlatform, startApp } from './app';

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

describe('npm start on a port that is taken', () => {
	it('exits with a message naming the port, and the app already there keeps serving', async () => {
		const app = await startApp();
		try {
			const port = new URL(app.url).port;
			const second = await promisify(execFile)(process.execPath, ['scripts/start.js'], {
				env: { ...process.env, PORT: port, HOST: '127.0.0.1', WFP_STATE_DIR: join(stateDir, 'second') }
			}).then(
				() => ({ code: 0, stderr: '' }),
				(error: { code: number; stderr: string }) => error
			);
			expect(second.code).toBe(1);
			expect(second.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
			expect((await fetch(`${app.url}/api/trpc/workers.list`)).status).toBe(200);
		} finally {
			await app.stop();
		}
	});
});

describe('the launcher (scripts/launch-app.js)', () => {
	it('starts the app on a port the app picks and reports, and counts only the platform as ready', async () => {
		const app = await startApp();
		const impostor = createServer((request, response) => {
			response.writeHead(request.url?.startsWith('/forbidden') ? 403 : 200, { 'content-type': 'application/json' });
			response.end('{"result":{"data":{}}}');
		});
		await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
		try {
			expect(app.output()).toContain(`workers-platform is ready on ${app.url}`);
			expect(Number(new URL(app.url).port)).toBeGreaterThan(0);
			expect(await isPlatform(app.url)).toBe(true);
			const { port } = impostor.address() as { port: number };
			expect(await isPlatform(`http://127.0.0.1:${port}`)).toBe(false);
			expect(await isPlatform(`http://127.0.0.1:${port}/forbidden`)).toBe(false);
		} finally {
			impostor.close();
			await app.stop();
		}
	});
});
