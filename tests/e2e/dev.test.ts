// `npm run dev` (Vite dev server, bindings from wrangler's platform proxy, which has no Worker Loader)
// must dispatch user Workers too: it starts the same supervised runner `npm start` uses.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '$lib/trpc';
import { freePort } from './app';

let server: ChildProcess;
let url: string;
let output = '';
const stateDir = mkdtempSync(join(tmpdir(), 'wfp-dev-state-'));

beforeAll(async () => {
	const port = await freePort();
	url = `http://127.0.0.1:${port}`;
	server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'dev', '--port', String(port), '--strictPort'], {
		env: { ...process.env, WFP_STATE_DIR: stateDir, WRANGLER_SEND_METRICS: 'false' },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true
	});
	server.stdout!.on('data', (chunk) => (output += chunk));
	server.stderr!.on('data', (chunk) => (output += chunk));
	for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
		if (server.exitCode !== null) throw new Error(`vite dev exited:\n${output}`);
		const ready = await fetch(url + '/api/trpc/workers.list').then((r) => r.ok, () => false);
		if (ready) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`vite dev did not start:\n${output}`);
});

afterAll(() => {
	if (server?.exitCode === null) process.kill(-server.pid!, 'SIGTERM');
	rmSync(stateDir, { recursive: true, force: true });
});

describe('npm run dev', () => {
	it('uploads and dispatches user Workers, keeping state in WFP_STATE_DIR', async () => {
		const client = createPlatformClient(url);
		await client.workers.upload.mutate({
			name: 'dev-hello',
			code: 'export default { fetch(request) { return new Response("dev " + new URL(request.url).pathname) } }'
		});
		const response = await fetch(`${url}/user-workers/dev-hello/some/path`);
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('dev /some/path');

		await client.workers.upload.mutate({ name: 'dev-hello', code: 'export default { fetch() { return new Response("v2") } }' });
		expect(await (await fetch(`${url}/user-workers/dev-hello/`)).text()).toBe('v2');
		expect(readdirSync(join(stateDir, 'v3'))).toContain('kv');
	});
});
