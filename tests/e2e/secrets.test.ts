// A Worker's secret, end to end with the app as `npm start` runs it: the Worker reads it on env, and its
// value is in no API answer, no page, and no file of the state folder (only ciphertext is stored).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { startApp, type RunningApp } from './app';

const SECRET = 'e2e-secret-value-3f9c1d';
const stateDir = mkdtempSync(join(tmpdir(), 'wfp-secrets-state-'));
let app: RunningApp;
let client: PlatformClient;

beforeAll(async () => {
	app = await startApp({}, { stateDir });
	client = createPlatformClient(app.url);
});
afterAll(async () => {
	await app?.stop();
	rmSync(stateDir, { recursive: true, force: true });
});

/** Every file below `dir` whose bytes contain `text`. */
function filesHolding(dir: string, text: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) return filesHolding(path, text);
		return readFileSync(path).includes(text) ? [path] : [];
	});
}

describe('a Worker secret', () => {
	it('reaches the Worker on env and nowhere else: not the API, not the pages, not the state folder', async () => {
		await client.workers.upload.mutate({ name: 'vault', code: 'export default { fetch: (request, env) => new Response(env.API_KEY) }' });
		const answers: unknown[] = [await client.workers.settings.update.mutate({ name: 'vault', secrets: { API_KEY: SECRET }, vars: { MODE: 'x' } })];
		expect(await (await fetch(`${app.url}/user-workers/vault/`)).text()).toBe(SECRET);

		answers.push(
			await client.workers.settings.get.query({ name: 'vault' }),
			await client.workers.get.query({ name: 'vault' }),
			await client.workers.versions.query({ name: 'vault' }),
			await client.workers.list.query()
		);
		for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(SECRET);
		for (const page of ['/', '/workers/vault', '/workers/vault/edit'])
			expect(await (await fetch(app.url + page)).text(), page).not.toContain(SECRET);

		// A new version keeps the secret, and the state folder holds it only encrypted.
		await client.workers.upload.mutate({ name: 'vault', code: 'export default { fetch: (request, env) => new Response("v2 " + env.API_KEY) }' });
		expect(await (await fetch(`${app.url}/user-workers/vault/`)).text()).toBe(`v2 ${SECRET}`);
		expect(filesHolding(stateDir, 'API_KEY')).not.toEqual([]);
		expect(filesHolding(stateDir, SECRET)).toEqual([]);
	});
});
