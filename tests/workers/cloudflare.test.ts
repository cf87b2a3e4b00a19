// The cloudflare backend (PLATFORM_BACKEND=cloudflare), driven through the router and the dispatcher.
// Where it runs: the `workers` project, so the backend, the official `cloudflare` SDK, the KV registry
// and the dispatch path all run inside real workerd. The Cloudflare REST API is a local fake speaking
// its wire format (tests/support/fake-cloudflare-api.ts; started in Node by the project's globalSetup
// and reached over loopback), and DISPATCHER is a stand-in that runs the fake API's scripts through
// this workerd's real Worker Loader (tests/workers/cloudflare-dispatcher.ts).
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { callerFor, hello, ORIGIN, setup, trpcError, useEmptyKv } from './helpers';
import { cloudflareSetup } from './cloudflare-setup';
import { dispatchToUserWorker, interceptPlatformRequest } from '$lib/server/dispatch';
import { platformFor, type Platform } from '$lib/server/platform';
import { PROJECT, PROJECT_ANSWER } from '../support/module-fixtures';
import { LOG_INGEST_PATH, LOG_INGEST_SECRET_HEADER } from '$lib/server/logs/receive';
import { ingestBatch } from '../../src/tail/worker';

const api = inject('fakeCloudflareApi');
const REJECTED_BY_API_MARKER = 'fake-cloudflare-api:reject';

const dispatch = (platform: Platform, path: string, init?: RequestInit) => {
	const url = new URL(path, ORIGIN);
	return dispatchToUserWorker(new Request(url, init), url, platform);
};

/** What the fake API holds for a script (null when it has none). */
async function storedScript(scriptId: string) {
	const response = await fetch(`${api.url}/__fake/scripts/${scriptId}`);
	if (response.status === 404) return null;
	return (await response.json()) as {
		mainModule: string;
		compatibilityDate: string;
		modules: Record<string, string>;
		moduleTypes: Record<string, string>;
		tags: string[];
		bindings: { type: string; name: string; text: string }[];
		tailConsumers: { service: string }[];
		etag: string;
	};
}

const scriptUrl = (scriptId: string) =>
	`${api.url}/client/v4/accounts/${api.accountId}/workers/dispatch/namespaces/${api.namespace}/scripts/${scriptId}`;
const authorized = { authorization: `Bearer ${api.apiToken}` };

/** A script upload as the API takes it: a JSON `metadata` part and the module part it names. */
function uploadForm(metadata: object, code: string): FormData {
	const form = new FormData();
	form.append('metadata', new File([JSON.stringify(metadata)], 'metadata.json', { type: 'application/json' }));
	form.append('worker.js', new File([code], 'worker.js', { type: 'application/javascript+module' }));
	return form;
}

describe('cloudflare backend (fake Cloudflare API, stand-in dispatch namespace)', { timeout: 30_000 }, () => {
	useEmptyKv();
	// The backend imports the SDK on first use; in this test workerd that means transforming hundreds of
	// modules, which takes seconds on a busy machine. Done once here, so no test pays for it.
	beforeAll(() => import('cloudflare'), 120_000);

	it('uploads through the API as a module with its metadata and serves it through the dispatch namespace', async () => {
		const { caller, platform, dispatcher } = cloudflareSetup({ USER_WORKER_CPU_MS: '20', USER_WORKER_SUBREQUESTS: '7' });
		const record = await caller.workers.upload({ name: 'hello', code: hello(), compatibilityDate: '2025-06-01' });
		expect(record).toMatchObject({ name: 'hello', url: `${ORIGIN}/user-workers/hello/`, compatibilityDate: '2025-06-01' });

		expect(await storedScript(record.scriptId)).toMatchObject({
			mainModule: 'worker.js',
			compatibilityDate: '2025-06-01',
			modules: { 'worker.js': hello() }
		});

		const response = await dispatch(platform, '/user-workers/hello/any/path?q=1', { method: 'POST', body: 'payload' });
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('hello POST /any/path?q=1 /user-workers/hello payload');
		expect(dispatcher.calls).toEqual([{ name: record.scriptId, options: { limits: { cpuMs: 20, subRequests: 7 } } }]);
	});

	it('uploads a Worker of several modules as one part per module, each with the content type of its kind', async () => {
		const { caller, platform } = cloudflareSetup();
		const record = await caller.workers.upload({ name: 'project', ...PROJECT });
		const stored = (await storedScript(record.scriptId))!;
		expect(stored.mainModule).toBe('src/index.ts');
		expect(stored.moduleTypes).toEqual({
			'src/index.ts': 'application/javascript+module',
			'src/lib/greet.ts': 'application/javascript+module',
			'src/lib/legacy.cjs': 'application/javascript',
			'config.json': 'application/javascript+module',
			'static/page.html': 'text/plain',
			'add.wasm': 'application/wasm',
			'blob.bin': 'application/octet-stream'
		});
		// TypeScript goes as what runs (types stripped, imports naming the modules); the bytes as they were.
		expect(stored.modules['src/index.ts']).toContain(`from "./lib/greet.ts"`);
		expect(stored.modules['src/index.ts']).not.toContain('request: Request');
		expect(stored.modules['add.wasm']).toBe(PROJECT.modules['add.wasm']);
		expect(await (await dispatch(platform, '/user-workers/project/')).json()).toEqual(PROJECT_ANSWER);
	});

	it('is the backend the composition root builds when the environment says PLATFORM_BACKEND=cloudflare', async () => {
		const { caller, dispatcher, vars } = cloudflareSetup();
		const record = await caller.workers.upload({ name: 'hooked', code: hello('hooked') });
		const url = new URL('/user-workers/hooked/x?y=1', ORIGIN);
		const response = await interceptPlatformRequest(new Request(url), url, platformFor({ ...env, ...vars } as Env));
		expect(await response!.text()).toBe('hooked GET /x?y=1 /user-workers/hooked ');
		expect(dispatcher.calls.map((call) => call.name)).toEqual([record.scriptId]);
	});

	it('gets the source back from the version store, and a re-upload serves the very next request', async () => {
		const { caller, platform } = cloudflareSetup();
		const first = await caller.workers.upload({ name: 'greeter', code: hello('v1') });
		expect((await caller.workers.get({ name: 'greeter' })).code).toBe(hello('v1'));
		expect(await (await dispatch(platform, '/user-workers/greeter/')).text()).toMatch(/^v1 /);
		const firstEtag = (await storedScript(first.scriptId))!.etag;

		const second = await caller.workers.upload({ name: 'greeter', code: hello('v2') });
		expect(second.scriptId).toBe(first.scriptId);
		expect((await storedScript(first.scriptId))!.etag).not.toBe(firstEtag);
		expect(await (await dispatch(platform, '/user-workers/greeter/')).text()).toMatch(/^v2 /);
		expect((await caller.workers.get({ name: 'greeter' })).code).toBe(hello('v2'));
	});

	it('deploys vars as plain_text bindings keeping the secrets, which go through the secrets endpoint', async () => {
		const { caller, platform } = cloudflareSetup();
		const envEcho = 'export default { fetch(request, env) { return Response.json(env) } }';
		const record = await caller.workers.upload({ name: 'configured', code: envEcho });
		await caller.workers.settings.update({ name: 'configured', vars: { MODE: 'prod' }, secrets: { API_KEY: 'sk-1' } });
		expect((await storedScript(record.scriptId))!.bindings).toEqual([
			{ type: 'plain_text', name: 'MODE', text: 'prod' },
			{ type: 'secret_text', name: 'API_KEY', text: 'sk-1' }
		]);
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({ MODE: 'prod', API_KEY: 'sk-1' });
		const requests: { method: string; path: string }[] = await (await fetch(`${api.url}/__fake/requests`)).json();
		expect(requests.filter((r) => r.path.includes('/secrets'))).toEqual([
			expect.objectContaining({ method: 'PUT', path: expect.stringMatching(new RegExp(`/scripts/${record.scriptId}/secrets$`)) })
		]);

		// A code deploy keeps the secret (keep_bindings), and deleting a secret goes through the endpoint.
		await caller.workers.upload({ name: 'configured', code: envEcho + '\n// v2' });
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({ MODE: 'prod', API_KEY: 'sk-1' });
		await caller.workers.settings.update({ name: 'configured', secrets: { API_KEY: null, ABSENT: null } });
		expect(await (await dispatch(platform, '/user-workers/configured/')).json()).toEqual({ MODE: 'prod' });
	});

	it('rolls back by re-uploading the stored code, and previews another version as a script of its own', async () => {
		const { caller, platform } = cloudflareSetup();
		const first = await caller.workers.upload({ name: 'flip', code: hello('one') });
		await caller.workers.upload({ name: 'flip', code: hello('two') });
		await caller.workers.rollback({ name: 'flip', version: 1 });
		expect((await storedScript(first.scriptId))!.modules['worker.js']).toBe(hello('one'));
		expect(await (await dispatch(platform, '/user-workers/flip/')).text()).toMatch(/^one /);

		expect(await storedScript(`${first.scriptId}--v2`)).toBeNull();
		expect(await (await dispatch(platform, '/user-workers/flip@2/')).text()).toMatch(/^two /);
		expect((await storedScript(`${first.scriptId}--v2`))!.modules['worker.js']).toBe(hello('two'));
		await caller.workers.delete({ name: 'flip' });
		expect(await storedScript(first.scriptId)).toBeNull();
		expect(await storedScript(`${first.scriptId}--v2`)).toBeNull();
	});

	it('lists Workers from the registry and deletes through the API with force', async () => {
		const { caller, platform } = cloudflareSetup();
		await caller.workers.upload({ name: 'b-worker', code: hello('b') });
		const a = await caller.workers.upload({ name: 'a-worker', code: hello('a') });
		const page = await caller.workers.list({ limit: 1 });
		expect(page.workers.map((w) => w.name)).toEqual(['a-worker']);
		expect((await caller.workers.list({ cursor: page.cursor! })).workers.map((w) => w.name)).toEqual(['b-worker']);

		expect(await caller.workers.delete({ name: 'a-worker' })).toEqual({ name: 'a-worker', deleted: true });
		expect(await storedScript(a.scriptId)).toBeNull();
		const requests: { method: string; path: string; query: Record<string, string> }[] = await (
			await fetch(`${api.url}/__fake/requests`)
		).json();
		expect(requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/scripts/${a.scriptId}`))).toEqual([
			expect.objectContaining({ query: { force: 'true' } })
		]);
		expect((await dispatch(platform, '/user-workers/a-worker/')).status).toBe(404);
		expect((await trpcError(() => caller.workers.get({ name: 'a-worker' }))).code).toBe('NOT_FOUND');
		expect((await caller.workers.list()).workers.map((w) => w.name)).toEqual(['b-worker']);
	});

	it("tags a customer's scripts, passes its plan's limits to the binding, and deletes its scripts by tag", async () => {
		const { caller, platform, dispatcher } = cloudflareSetup();
		const customer = await caller.customers.create({ name: 'Tagged', plan: { cpuMs: 11, subRequests: 4 } });
		const { token } = await caller.tokens.create({ customerId: customer.id, label: 'ci' });
		const asCustomer = callerFor(platform, (await platform.auth.principalOfToken(token))!);
		const site = await asCustomer.workers.upload({ name: 'tagged-site', code: hello('tagged') });
		const ops = await caller.workers.upload({ name: 'ops-site', code: hello('ops') });
		expect((await storedScript(site.scriptId))!.tags).toEqual([`customer:${customer.id}`]);
		expect((await storedScript(ops.scriptId))!.tags).toEqual([]);

		expect(await (await dispatch(platform, '/user-workers/tagged-site/')).text()).toMatch(/^tagged /);
		expect(dispatcher.calls.at(-1)).toEqual({ name: site.scriptId, options: { limits: { cpuMs: 11, subRequests: 4 } } });

		// A script of the customer's the registry does not know (uploaded with wrangler, say) goes too.
		const stray = await fetch(scriptUrl('stray-script'), {
			method: 'PUT',
			headers: authorized,
			body: uploadForm({ main_module: 'worker.js', tags: [`customer:${customer.id}`] }, hello('stray'))
		});
		expect(stray.status).toBe(200);
		expect(await caller.customers.delete({ id: customer.id })).toMatchObject({ workersDeleted: 1 });
		expect(await storedScript(site.scriptId)).toBeNull();
		expect(await storedScript('stray-script')).toBeNull();
		expect(await storedScript(ops.scriptId)).not.toBeNull();
		const requests: { method: string; path: string; query: Record<string, string> }[] = await (
			await fetch(`${api.url}/__fake/requests`)
		).json();
		expect(requests.filter((r) => r.method === 'DELETE' && r.path.endsWith('/scripts')).at(-1)).toMatchObject({
			query: { tags: `customer:${customer.id}:yes` }
		});
	});

	it('attaches a custom hostname as a Cloudflare for SaaS custom hostname: pending with its TXT records, then active, detached with it', async () => {
		const { caller, platform } = cloudflareSetup({ CLOUDFLARE_ZONE_ID: api.zoneId, PLATFORM_HOST: 'platform.example.com' });
		await caller.workers.upload({ name: 'saas', code: hello('saas') });
		const attached = await caller.workers.hostnames.add({ name: 'saas', hostname: 'shop.example' });
		expect(attached).toMatchObject({ hostname: 'shop.example', status: 'pending' });
		expect(attached.verification).toEqual([
			{ type: 'txt', name: '_cf-custom-hostname.shop.example', value: expect.any(String) },
			{ type: 'txt', name: '_acme-challenge.shop.example', value: expect.any(String) }
		]);
		// Dispatch needs no API call: the hostname is in KV at once.
		const url = new URL('http://shop.example/cart');
		expect(await (await interceptPlatformRequest(new Request(url), url, platform))!.text()).toMatch(/^saas GET \/cart /);

		const id = attached.verification[0].value;
		expect((await fetch(`${api.url}/__fake/custom_hostnames/${id}/activate`, { method: 'POST' })).status).toBe(200);
		expect(await caller.workers.hostnames.list({ name: 'saas' })).toEqual([expect.objectContaining({ status: 'active', verification: [] })]);

		await caller.workers.hostnames.remove({ hostname: 'shop.example' });
		const requests: { method: string; path: string }[] = await (await fetch(`${api.url}/__fake/requests`)).json();
		expect(requests.filter((r) => r.path.includes('/custom_hostnames')).map((r) => r.method)).toEqual(['POST', 'GET', 'DELETE']);
		expect(await interceptPlatformRequest(new Request(url), url, platform)).toBeUndefined();

		const { caller: noZone } = cloudflareSetup();
		expect((await trpcError(() => noZone.workers.hostnames.add({ name: 'saas', hostname: 'other.example' }))).message).toContain(
			'CLOUDFLARE_ZONE_ID'
		);
	});

	it("turns the API's validation error into BAD_REQUEST with its message, keeping the old version serving", async () => {
		const { caller, platform } = cloudflareSetup();
		const before = await caller.workers.upload({ name: 'stable', code: hello('old') });
		const rejected = `${hello('new')}\n// ${REJECTED_BY_API_MARKER}`;
		const error = await trpcError(() => caller.workers.upload({ name: 'stable', code: rejected }));
		expect(error.code).toBe('BAD_REQUEST');
		expect(error.message).toMatch(/^Cloudflare rejected the script: Uncaught Error: .*startup check.* \(code 10021\)$/);

		expect((await caller.workers.get({ name: 'stable' })).sha256).toBe(before.sha256);
		expect(await (await dispatch(platform, '/user-workers/stable/')).text()).toMatch(/^old /);
	});

	it('answers the 404 page when the namespace no longer has the script ("Worker not found")', async () => {
		const { caller, platform } = cloudflareSetup();
		const record = await caller.workers.upload({ name: 'vanished', code: hello() });
		// Deleted behind the platform's back, e.g. with wrangler: the registry still has the record.
		expect((await fetch(scriptUrl(record.scriptId), { method: 'DELETE', headers: authorized })).status).toBe(200);

		const response = await dispatch(platform, '/user-workers/vanished/');
		expect(response.status).toBe(404);
		expect(await response.text()).toContain('No Worker is named &quot;vanished&quot;');
		// Deleting it still works: the API's "not found" counts as already gone.
		expect(await caller.workers.delete({ name: 'vanished' })).toEqual({ name: 'vanished', deleted: true });
	});

	it('answers the 404 page when the binding throws "Worker not found" from get() itself', async () => {
		const { caller } = cloudflareSetup();
		await caller.workers.upload({ name: 'gone', code: hello() });
		const throwingOnGet: DispatchNamespace = {
			get() {
				throw new Error('Worker not found.');
			}
		};
		const { platform } = cloudflareSetup({ DISPATCHER: throwingOnGet });
		const response = await dispatch(platform, '/user-workers/gone/');
		expect(response.status).toBe(404);
		expect(await response.text()).toContain('No Worker is named &quot;gone&quot;');
	});

	it('answers a 503 page naming the Worker when it exceeds its subrequest or CPU limit', async () => {
		const { caller, platform, dispatcher } = cloudflareSetup({ USER_WORKER_SUBREQUESTS: '2' });
		const fanOut = (count: number) => `export default { async fetch() {
			for (let i = 0; i < ${count}; i++) await fetch(${JSON.stringify(`${api.url}/__fake/requests`)});
			return new Response('made ${count} subrequests');
		} }`;
		await caller.workers.upload({ name: 'within', code: fanOut(2) });
		await caller.workers.upload({ name: 'fanout', code: fanOut(3) });
		const spinner = await caller.workers.upload({ name: 'spinner', code: hello() });
		dispatcher.exceedCpuLimit(spinner.scriptId);

		expect(await (await dispatch(platform, '/user-workers/within/')).text()).toBe('made 2 subrequests');
		const fanning = await dispatch(platform, '/user-workers/fanout/');
		expect(fanning.status).toBe(503);
		const page = await fanning.text();
		expect(page).toContain('Worker &quot;fanout&quot; exceeded its subrequest limit');
		expect(page).toContain('Too many subrequests.');
		const spinning = await dispatch(platform, '/user-workers/spinner/');
		expect(spinning.status).toBe(503);
		expect(await spinning.text()).toContain('Worker &quot;spinner&quot; exceeded its CPU time limit');
		// Everything else keeps serving.
		expect(await (await dispatch(platform, '/user-workers/within/')).text()).toBe('made 2 subrequests');
	});

	it('reports a wrong API token as an error naming the credentials, storing nothing', async () => {
		const { caller } = cloudflareSetup({ CLOUDFLARE_API_TOKEN: 'not-the-token' });
		const error = await trpcError(() => caller.workers.upload({ name: 'hello', code: hello() }));
		expect(error.code).toBe('INTERNAL_SERVER_ERROR');
		expect(error.message).toContain('check CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID');
		expect(error.message).toContain('Authentication error (code 10000)');
		expect((await caller.workers.list()).workers).toEqual([]);
	});

	it('refuses to start without its settings, naming what is missing', () => {
		expect(() => setup({ PLATFORM_BACKEND: 'cloudflare', DISPATCH_NAMESPACE: 'ns' })).toThrow(
			'PLATFORM_BACKEND=cloudflare needs CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN'
		);
		expect(() => cloudflareSetup({ DISPATCHER: undefined })).toThrow('needs the DISPATCHER (dispatch_namespaces) binding');
	});
});

describe('the fake Cloudflare API is as strict as the real one', () => {
	const moduleFile = (code = hello()) => new File([code], 'worker.js', { type: 'application/javascript+module' });
	const metadataFile = (metadata: object) =>
		new File([JSON.stringify(metadata)], 'metadata.json', { type: 'application/json' });
	const upload = async (form: FormData, headers: HeadersInit = authorized) => {
		const response = await fetch(scriptUrl('strictness-check'), { method: 'PUT', body: form, headers });
		const body: { success: boolean; errors: { code: number; message: string }[] } = await response.json();
		return { status: response.status, body };
	};
	const form = (parts: Record<string, File>) => {
		const data = new FormData();
		for (const [name, file] of Object.entries(parts)) data.append(name, file);
		return data;
	};

	it('accepts a well-formed module upload', async () => {
		const parts = { metadata: metadataFile({ main_module: 'worker.js' }), 'worker.js': moduleFile() };
		const { status, body } = await upload(form(parts));
		expect(status).toBe(200);
		expect(body).toMatchObject({ success: true, errors: [], messages: [], result: { id: 'strictness-check' } });
	});

	it('refuses a request without a bearer token, or with the wrong one', async () => {
		const parts = () => form({ metadata: metadataFile({ main_module: 'worker.js' }), 'worker.js': moduleFile() });
		expect(await upload(parts(), {})).toMatchObject({ status: 400, body: { success: false, errors: [{ code: 9106 }] } });
		expect(await upload(parts(), { authorization: 'Bearer nope' })).toMatchObject({
			status: 403,
			body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] }
		});
	});

	it('refuses uploads without a metadata part, with a main_module naming no part, or with a mistyped module', async () => {
		const cases = [
			[form({ 'worker.js': moduleFile() }), /metadata part/],
			[form({ metadata: metadataFile({ main_module: 'index.js' }), 'worker.js': moduleFile() }), /No such module "index.js"/],
			[form({ metadata: metadataFile({}), 'worker.js': moduleFile() }), /main_module is required/],
			[
				form({
					metadata: metadataFile({ main_module: 'worker.js' }),
					'worker.js': new File([hello()], 'worker.js', { type: 'text/html' })
				}),
				/unsupported Content-Type "text\/html"/
			],
			[
				form({
					metadata: metadataFile({ main_module: 'worker.js' }),
					'worker.js': new File([hello()], 'worker.js', { type: 'text/plain' })
				}),
				/main_module "worker.js" must be an ES module/
			]
		] as const;
		for (const [body, message] of cases) {
			const answer = await upload(body);
			expect(answer.status).toBe(400);
			expect(answer.body.success).toBe(false);
			expect(answer.body.errors[0].code).toBe(10021);
			expect(answer.body.errors[0].message).toMatch(message);
		}
	});

	it('answers 10007 for a script it does not have', async () => {
		const response = await fetch(`${scriptUrl('never-uploaded')}/content`, { headers: authorized });
		expect(response.status).toBe(404);
		expect(await response.json()).toMatchObject({ success: false, errors: [{ code: 10007 }] });
	});

	it('takes secrets as JSON { name, text, type: "secret_text" }, answering { name, type } and never the text', async () => {
		expect((await upload(form({ metadata: metadataFile({ main_module: 'worker.js' }), 'worker.js': moduleFile() }))).status).toBe(200);
		const put = (body: unknown, script = 'strictness-check') =>
			fetch(`${scriptUrl(script)}/secrets`, { method: 'PUT', headers: { ...authorized, 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const answer = await put({ name: 'API_KEY', text: 'sk-9', type: 'secret_text' });
		expect(answer.status).toBe(200);
		expect(await answer.json()).toEqual({ success: true, errors: [], messages: [], result: { name: 'API_KEY', type: 'secret_text' } });
		const errorCode = async (response: Response) => ((await response.json()) as { errors: { code: number }[] }).errors[0].code;
		expect(await errorCode(await put({ name: 'K', text: 'v', type: 'plain_text' }))).toBe(10021);
		expect(await errorCode(await put({ name: 'K', text: 'v', type: 'secret_text' }, 'never-uploaded'))).toBe(10007);
		const remove = (name: string) => fetch(`${scriptUrl('strictness-check')}/secrets/${name}`, { method: 'DELETE', headers: authorized });
		expect((await remove('API_KEY')).status).toBe(200);
		const absent = await remove('API_KEY');
		expect(absent.status).toBe(404);
		expect(await errorCode(absent)).toBe(10056);
	});
});

describe('cloudflare backend log collection (tail_consumers and the ingest endpoint)', { timeout: 30_000 }, () => {
	useEmptyKv();
	beforeAll(() => import('cloudflare'), 120_000);
	const LOG_SETTINGS = { PLATFORM_TAIL_WORKER: 'workers-platform-tail', LOG_INGEST_SECRET: 'ingest-secret' };

	it("names the platform's Tail Worker in each upload's tail_consumers, previews included, and none when unset", async () => {
		const { caller, platform } = cloudflareSetup(LOG_SETTINGS);
		const record = await caller.workers.upload({ name: 'tailed', code: hello('v1') });
		expect((await storedScript(record.scriptId))!.tailConsumers).toEqual([{ service: 'workers-platform-tail' }]);
		await caller.workers.upload({ name: 'tailed', code: hello('v2') });
		expect(await (await dispatch(platform, '/user-workers/tailed@1/')).text()).toMatch(/^v1 /);
		expect((await storedScript(`${record.scriptId}--v1`))!.tailConsumers).toEqual([{ service: 'workers-platform-tail' }]);

		const untailed = await cloudflareSetup().caller.workers.upload({ name: 'untailed', code: hello() });
		expect((await storedScript(untailed.scriptId))!.tailConsumers).toEqual([]);
	});

	it("stores what the Tail Worker posts with the secret under the Worker's log, and refuses it without", async () => {
		const { caller, platform } = cloudflareSetup(LOG_SETTINGS);
		const record = await caller.workers.upload({ name: 'ingested', code: hello() });
		const trace = {
			scriptName: `${record.scriptId}--v1`,
			eventTimestamp: Date.now(),
			outcome: 'exceededCpu',
			wallTime: 60,
			cpuTime: 51,
			logs: [{ timestamp: Date.now(), level: 'log', message: ['from Cloudflare'] }],
			exceptions: [],
			event: { request: { method: 'GET', url: 'https://x/spin?k=v', headers: { 'x-request-id': 'rid-cf' } } }
		} as unknown as TraceItem;
		const batch = ingestBatch([trace, { ...trace, scriptName: null } as unknown as TraceItem]);
		expect(Object.keys(batch.entries)).toEqual([record.scriptId]);

		const post = (secret: string | null) => {
			const url = new URL(LOG_INGEST_PATH, ORIGIN);
			const headers: Record<string, string> = { 'content-type': 'application/json', ...(secret !== null && { [LOG_INGEST_SECRET_HEADER]: secret }) };
			return interceptPlatformRequest(new Request(url, { method: 'POST', headers, body: JSON.stringify(batch) }), url, platform);
		};
		expect((await post(null))!.status).toBe(403);
		expect((await post('wrong'))!.status).toBe(403);
		expect((await caller.workers.logs({ name: 'ingested' })).entries).toEqual([]);
		expect((await post('ingest-secret'))!.status).toBe(204);
		const { entries } = await caller.workers.logs({ name: 'ingested' });
		expect(entries.map((entry) => [entry.kind, entry.requestId, entry.message])).toEqual([
			['request', 'rid-cf', 'GET /spin - exceededCpu 60 ms'],
			['log', 'rid-cf', 'from Cloudflare']
		]);
		expect(entries[0].request).toMatchObject({ outcome: 'exceededCpu', cpuMs: 51, status: null });
		// The exceeded limit counts as an error in the Worker's metrics.
		expect((await caller.workers.metrics({ name: 'ingested' })).minutes).toEqual([expect.objectContaining({ requests: 1, errors: 1, cpuMs: 51 })]);
	});
});
