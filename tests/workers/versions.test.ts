// Versions, deployments, rollback, preview, retention and settings through the router, over real KV, real
// D1 and the real Worker Loader (the local backend in this workerd).
import { describe, expect, it } from 'vitest';
import { hello, kvKeysHolding, ORIGIN, setup, trpcError, useEmptyKv } from './helpers';
import { dispatchToUserWorker } from '$lib/server/dispatch';
import type { Platform } from '$lib/server/platform';
import { InputError } from '$lib/server/errors';

const dispatch = (platform: Platform, path: string, init?: RequestInit) => {
	const url = new URL(path, ORIGIN);
	return dispatchToUserWorker(new Request(url, init), url, platform);
};
const body = async (platform: Platform, path: string) => {
	const response = await dispatch(platform, path);
	return `${response.status} ${(await response.text()).split(' ')[0]}`;
};

/** A Worker that answers with the names and values of its env. */
const envEcho = `export default { fetch(request, env) { return Response.json(env) } }`;

describe('versions and deployments (real KV, D1 and Worker Loader)', () => {
	useEmptyKv();

	it('numbers each upload 1, 2, 3… and lists them newest first, page by page', async () => {
		const { caller } = setup();
		for (const greeting of ['v1', 'v2', 'v3']) await caller.workers.upload({ name: 'counted', code: hello(greeting), message: `ship ${greeting}` });
		const record = await caller.workers.get({ name: 'counted' });
		expect(record.version).toBe(3);
		const first = await caller.workers.versions({ name: 'counted', limit: 2 });
		expect(first.serving).toBe(3);
		expect(first.versions.map((v) => [v.version, v.message, v.author])).toEqual([
			[3, 'ship v3', 'operator'],
			[2, 'ship v2', 'operator']
		]);
		expect(first.versions[0]).toMatchObject({ size: new TextEncoder().encode(hello('v3')).length, compatibilityDate: '2026-08-01' });
		const rest = await caller.workers.versions({ name: 'counted', cursor: first.cursor! });
		expect(rest).toMatchObject({ cursor: null, versions: [{ version: 1 }] });
		expect((await caller.workers.get({ name: 'counted', version: 1 })).code).toBe(hello('v1'));
		expect((await trpcError(() => caller.workers.get({ name: 'counted', version: 9 }))).code).toBe('NOT_FOUND');
		expect((await trpcError(() => caller.workers.versions({ name: 'counted', cursor: 'nope' }))).code).toBe('BAD_REQUEST');
	});

	it('gives concurrent uploads distinct numbers with no gaps, and get, versions and dispatch agree on the winner', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({ name: 'raced', code: hello('v0') });
		const uploads = await Promise.all(
			Array.from({ length: 8 }, (_, i) => caller.workers.upload({ name: 'raced', code: hello(`c${i}`) }))
		);
		expect(uploads.map((u) => u.uploaded.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
		const serving = await caller.workers.get({ name: 'raced' });
		const { versions, serving: listed } = await caller.workers.versions({ name: 'raced' });
		expect(versions.map((v) => v.version)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
		expect(listed).toBe(serving.version);
		// The last deployment recorded wins, whatever order the KV writes landed in.
		expect(serving.version).toBe(9);
		const greeting = (await body(platform, '/user-workers/raced/')).split(' ')[1];
		expect(hello(greeting)).toBe(serving.code);
	});

	it("keeps every version's code readable: a request holding an older record still runs its version", async () => {
		const { caller, platform } = setup();
		const first = await caller.workers.upload({ name: 'steady', code: hello('old') });
		await caller.workers.upload({ name: 'steady', code: hello('new') });
		const signal = new AbortController().signal;
		// As the dispatcher would if it had read the record just before the redeploy, and again before a delete.
		const run = async () => (await (await platform.backend.fetch(first, new Request(ORIGIN + '/'), signal)).text()).split(' ')[0];
		expect(await run()).toBe('old');
		expect(await body(platform, '/user-workers/steady/')).toBe('200 new');
		await caller.workers.delete({ name: 'steady' });
		expect(await body(platform, '/user-workers/steady/')).toMatch(/^404 /);
		expect(await run()).toBe('old');
	});

	it('removes code at once when the grace period is zero, and a re-created Worker never reuses old keys', async () => {
		const { caller, platform } = setup({ RETIRED_CODE_GRACE_SECONDS: '0' });
		const first = await caller.workers.upload({ name: 'phoenix', code: hello('first-life') });
		await caller.workers.delete({ name: 'phoenix' });
		expect(await kvKeysHolding(hello('first-life'))).toEqual([]);
		const second = await caller.workers.upload({ name: 'phoenix', code: hello('second-life') });
		expect(second.scriptId).not.toBe(first.scriptId);
		expect(second.version).toBe(1);
		expect(await body(platform, '/user-workers/phoenix/')).toBe('200 second-life');
	});

	it('rolls back as a new deployment: the next request runs the old code, and the rollback can be undone', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({ name: 'flip', code: hello('good') });
		await caller.workers.upload({ name: 'flip', code: hello('bad') });
		expect(await body(platform, '/user-workers/flip/')).toBe('200 bad');
		const rolledBack = await caller.workers.rollback({ name: 'flip', version: 1 });
		expect(rolledBack).toMatchObject({ version: 1, sha256: (await caller.workers.get({ name: 'flip', version: 1 })).sha256 });
		expect(await body(platform, '/user-workers/flip/')).toBe('200 good');
		expect(await platform.versions.deployments(rolledBack.scriptId)).toMatchObject([
			{ seq: 3, version: 1, kind: 'rollback' },
			{ seq: 2, version: 2, kind: 'upload' },
			{ seq: 1, version: 1, kind: 'upload' }
		]);
		await caller.workers.rollback({ name: 'flip', version: 2 });
		expect(await body(platform, '/user-workers/flip/')).toBe('200 bad');
		expect(await trpcError(() => caller.workers.rollback({ name: 'flip', version: 2 }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'version 2 of "flip" is already serving'
		});
		expect((await trpcError(() => caller.workers.rollback({ name: 'flip', version: 7 }))).code).toBe('NOT_FOUND');
	});

	it('stores an upload with deploy: false without serving it, previews it under name@version, then deploys it', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({ name: 'staged', code: hello('live') });
		const staged = await caller.workers.upload({ name: 'staged', code: hello('candidate'), deploy: false });
		expect(staged).toMatchObject({ version: 1, uploaded: { version: 2 } });
		expect(await body(platform, '/user-workers/staged/')).toBe('200 live');
		expect(await body(platform, '/user-workers/staged@2/')).toBe('200 candidate');
		expect(await body(platform, '/user-workers/staged@1/')).toBe('200 live');
		const preview = await dispatch(platform, '/user-workers/staged@2/x?y=1', { method: 'POST', body: 'p' });
		expect(await preview.text()).toBe('candidate POST /x?y=1 /user-workers/staged@2 p');
		for (const path of ['/user-workers/staged@3/', '/user-workers/staged@0/', '/user-workers/staged@x/', '/user-workers/staged@/'])
			expect((await dispatch(platform, path)).status, path).toBe(404);
		expect((await dispatch(platform, '/user-workers/nobody@1/')).status).toBe(404);

		await caller.workers.deploy({ name: 'staged', version: 2 });
		expect(await body(platform, '/user-workers/staged/')).toBe('200 candidate');
		expect((await trpcError(() => caller.workers.upload({ name: 'fresh', code: hello(), deploy: false }))).message).toContain(
			'serves no version yet'
		);
	});

	it('keeps the newest VERSION_RETENTION versions and always the serving one', async () => {
		const { caller, platform } = setup({ VERSION_RETENTION: '3', RETIRED_CODE_GRACE_SECONDS: '0' });
		for (let i = 1; i <= 4; i++) await caller.workers.upload({ name: 'kept', code: hello(`k${i}`) });
		const listed = async () => (await caller.workers.versions({ name: 'kept' })).versions.map((v) => v.version);
		expect(await listed()).toEqual([4, 3, 2]);
		expect(await kvKeysHolding(hello('k1'))).toEqual([]);
		await caller.workers.rollback({ name: 'kept', version: 2 });
		await caller.workers.upload({ name: 'kept', code: hello('k5'), deploy: false });
		await caller.workers.upload({ name: 'kept', code: hello('k6'), deploy: false });
		// Version 2 serves, so it stays though it is not among the newest three.
		expect(await listed()).toEqual([6, 5, 4, 2]);
		expect(await body(platform, '/user-workers/kept/')).toBe('200 k2');
		expect(await kvKeysHolding(hello('k3'))).toEqual([]);
	});
});

describe('per-Worker settings (vars and secrets)', () => {
	useEmptyKv();
	const secretValue = 'sk_live_do-not-leak-4242';

	it('gives the Worker its vars and secrets on env from the next request, without a code upload', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({ name: 'configured', code: envEcho });
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({});
		const view = await caller.workers.settings.update({ name: 'configured', vars: { MODE: 'prod' }, secrets: { API_KEY: secretValue } });
		expect(view).toEqual({ vars: { MODE: 'prod' }, secrets: ['API_KEY'] });
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({ MODE: 'prod', API_KEY: secretValue });
		expect(await caller.workers.settings.get({ name: 'configured' })).toEqual({ vars: { MODE: 'prod' }, secrets: ['API_KEY'] });

		await caller.workers.settings.update({ name: 'configured', vars: { MODE: null, REGION: 'eu' }, secrets: { API_KEY: null } });
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({ REGION: 'eu' });
		// A new version keeps the settings.
		await caller.workers.upload({ name: 'configured', code: envEcho + '\n// v2' });
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({ REGION: 'eu' });
	});

	it('sets the vars an upload carries as its version starts serving, and leaves them as they were when the upload is refused', async () => {
		const { platform: base } = setup();
		let refuse = false;
		// The platform's own backend, which refuses deploys on demand (as Cloudflare may refuse a script).
		const backend = {
			...base.backend,
			deploy: (...args: Parameters<typeof base.backend.deploy>) => {
				if (refuse) throw new InputError('code', 'refused by the backend');
				return base.backend.deploy(...args);
			}
		};
		const { caller, platform } = setup({}, backend);
		// A new Worker's first request already sees them: one version, no settings call.
		const first = await caller.workers.upload({ name: 'with-vars', code: envEcho, vars: { MODE: 'prod', REGION: 'eu' } });
		expect(first.version).toBe(1);
		expect(await (await dispatch(platform, '/user-workers/with-vars/')).json()).toEqual({ MODE: 'prod', REGION: 'eu' });

		await caller.workers.upload({ name: 'with-vars', code: envEcho + '\n// v2', vars: { MODE: 'staging', REGION: null } });
		expect(await (await dispatch(platform, '/user-workers/with-vars/')).json()).toEqual({ MODE: 'staging' });

		refuse = true;
		const refused = await trpcError(() => caller.workers.upload({ name: 'with-vars', code: envEcho + '\n// v3', vars: { MODE: 'broken', EXTRA: 'x' } }));
		expect(refused).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('refused by the backend') });
		refuse = false;
		expect(await caller.workers.settings.get({ name: 'with-vars' })).toEqual({ vars: { MODE: 'staging' }, secrets: [] });
		expect(await (await dispatch(platform, '/user-workers/with-vars/')).json()).toEqual({ MODE: 'staging' });

		// Checked before anything is stored; a staged version cannot carry them (vars are the Worker's).
		const badName = await trpcError(() => caller.workers.upload({ name: 'with-vars', code: envEcho, vars: { 'bad-name': 'x' } }));
		expect(badName.code).toBe('BAD_REQUEST');
		const staged = await trpcError(() => caller.workers.upload({ name: 'with-vars', code: envEcho, deploy: false, vars: { MODE: 'x' } }));
		expect(staged).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('workers.settings.update') });
		expect((await caller.workers.get({ name: 'with-vars' })).version).toBe(2);
	});

	it('stores secrets encrypted: the value is in no KV key and in no API answer', async () => {
		const { caller } = setup();
		await caller.workers.upload({ name: 'vault', code: envEcho });
		const answers = [
			await caller.workers.settings.update({ name: 'vault', secrets: { TOKEN: secretValue } }),
			await caller.workers.settings.get({ name: 'vault' }),
			await caller.workers.get({ name: 'vault' }),
			await caller.workers.versions({ name: 'vault' }),
			await caller.workers.list()
		];
		for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(secretValue);
		expect(await kvKeysHolding(secretValue)).toEqual([]);
		expect(await kvKeysHolding('TOKEN')).toHaveLength(1);
		// Another key cannot read them.
		const { platform: other } = setup({ PLATFORM_SECRETS_KEY: 'another-key-entirely-0000000000' });
		expect((await dispatch(other, '/user-workers/vault/')).status).toBe(502);
	});

	it('refuses bad names, oversized values, and secrets without PLATFORM_SECRETS_KEY, naming the problem', async () => {
		const { caller } = setup();
		await caller.workers.upload({ name: 'strict', code: envEcho });
		const cases: [Parameters<typeof caller.workers.settings.update>[0], string][] = [
			[{ name: 'strict', vars: { '1BAD': 'x' } }, 'variable name "1BAD" must be letters, digits and _'],
			[{ name: 'strict', secrets: { 'has-dash': 'x' } }, 'secret name "has-dash" must be letters'],
			[{ name: 'strict', vars: { BIG: 'x'.repeat(5 * 1024 + 1) } }, 'variable BIG is longer than 5 KiB'],
			[{ name: 'strict', vars: { SAME: 'a' }, secrets: { SAME: 'b' } }, 'SAME cannot be both a variable and a secret'],
			[{ name: 'strict', vars: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`V${i}`, 'x'])) }, 'at most 64']
		];
		for (const [input, message] of cases) {
			const error = await trpcError(() => caller.workers.settings.update(input));
			expect(error.code, message).toBe('BAD_REQUEST');
			expect(error.message).toContain(message);
		}
		expect(await caller.workers.settings.get({ name: 'strict' })).toEqual({ vars: {}, secrets: [] });
		const { caller: keyless } = setup({ PLATFORM_SECRETS_KEY: '' });
		expect(await trpcError(() => keyless.workers.settings.update({ name: 'strict', secrets: { K: 'v' } }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'this platform has no PLATFORM_SECRETS_KEY, so it cannot store secrets (README, "Configuration")'
		});
		expect((await trpcError(() => caller.workers.settings.get({ name: 'nobody' }))).code).toBe('NOT_FOUND');
	});
});
