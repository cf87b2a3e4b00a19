// The Cloudflare-compatible API (/client/v4) driven by unmodified Cloudflare clients against the app as
// `npm start` starts it: the official SDK (6.5.0, the `cloudflare-v6` dev dependency), the project's own
// wrangler binary deploying a TypeScript project, the platform's own cloudflare backend (its upload code),
// and raw requests for the error envelopes. Whatever they deploy is the Worker tRPC and /user-workers/* see.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Cloudflare from 'cloudflare-v6';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { createCloudflareBackend } from '$lib/server/backends/cloudflare';
import { DEFAULTS, readConfig } from '$lib/server/config';
import type { StoredWorker } from '$lib/server/registry';
import { useApp } from './use-app';
import { ADD_WASM } from '../support/module-fixtures';

const ADMIN_TOKEN = 'cloudflare-api-e2e-admin-token';
// Wrong tokens on purpose below: the throttle itself is tested in security.test.ts.
const app = useApp({ PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN, AUTH_MAX_FAILURES_PER_MINUTE: '1000' });

const ACCOUNT = DEFAULTS.accountId;
const NAMESPACE = DEFAULTS.namespace;
const WRANGLER = join(process.cwd(), 'node_modules/wrangler/bin/wrangler.js');
const FIXTURE = join(process.cwd(), 'tests/fixtures/wrangler-project');
const folders = mkdtempSync(join(tmpdir(), 'wfp-cloudflare-api-'));
afterAll(() => rmSync(folders, { recursive: true, force: true }));

const site = (text: string) => `export default { fetch: () => new Response(${JSON.stringify(text)}) }`;
const scriptsPath = `/accounts/${ACCOUNT}/workers/dispatch/namespaces/${NAMESPACE}/scripts`;

let admin: PlatformClient;
let sdk: Cloudflare;
const scripts = () => sdk.workersForPlatforms.dispatch.namespaces.scripts;

beforeAll(() => {
	admin = createPlatformClient(app.url, { token: ADMIN_TOKEN });
	sdk = sdkFor(ADMIN_TOKEN);
});

function sdkFor(apiToken: string): Cloudflare {
	return new Cloudflare({ apiToken, baseURL: `${app.url}/client/v4`, maxRetries: 0 });
}

/** A raw request to the API and its envelope. */
async function api(path: string, init: RequestInit & { token?: string | null } = {}) {
	const { token = ADMIN_TOKEN, ...rest } = init;
	const headers = new Headers(rest.headers);
	if (token !== null) headers.set('authorization', `Bearer ${token}`);
	const response = await fetch(`${app.url}/client/v4${path}`, { ...rest, headers });
	const body = (await response.json()) as { success: boolean; errors: { code: number; message: string }[]; messages: unknown[]; result: any; result_info?: any };
	return { status: response.status, body };
}

/** An upload as wrangler sends it: the metadata part and one part per module, named by file name. */
function wranglerForm(metadata: object, modules: Record<string, [code: string, type?: string]>): FormData {
	const form = new FormData();
	form.append('metadata', JSON.stringify(metadata));
	for (const [name, [code, type = 'application/javascript+module']] of Object.entries(modules))
		form.append(name, new File([code], name, { type }));
	return form;
}

const put = (name: string, form: FormData, token?: string) => api(`${scriptsPath}/${name}`, { method: 'PUT', body: form, token });
const served = async (name: string, path = '') => {
	const response = await fetch(`${app.url}/user-workers/${name}/${path}`);
	return { status: response.status, text: await response.text() };
};

/** The SDK's error for `call` (which must fail): status and envelope errors. */
async function sdkRefusal(call: Promise<unknown>) {
	const error = (await call.then(
		() => null,
		(e) => e
	)) as (Error & { status?: number; errors?: { code: number; message: string }[] }) | null;
	if (!error) throw new Error('expected the call to be refused');
	return { status: error.status, errors: error.errors };
}

describe('the cloudflare SDK 6.5.0', () => {
	const code = `export default {\n\tasync fetch(request) {\n\t\treturn new Response("from the SDK " + new URL(request.url).pathname);\n\t}\n};\n`;

	it('uploads a module (parts named `files`), and the Worker serves and is the one tRPC sees', async () => {
		const result = await scripts().update(NAMESPACE, 'sdk-hello', {
			account_id: ACCOUNT,
			metadata: { main_module: 'worker.js', compatibility_date: '2026-01-15', tags: ['team:blue', 'staging'] },
			files: [new File([code], 'worker.js', { type: 'application/javascript+module' })]
		});
		expect(result).toMatchObject({ id: 'sdk-hello', compatibility_date: '2026-01-15', tags: ['staging', 'team:blue'], handlers: ['fetch'] });

		expect(await served('sdk-hello', 'a/b')).toEqual({ status: 200, text: 'from the SDK /a/b' });
		const worker = await admin.workers.get.query({ name: 'sdk-hello' });
		expect(worker).toMatchObject({ code, compatibilityDate: '2026-01-15', customerId: null });
		expect(result.etag).toBe(worker.sha256);

		const details = await scripts().get(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT });
		expect(details).toMatchObject({ dispatch_namespace: NAMESPACE, script: { id: 'sdk-hello', tags: ['staging', 'team:blue'] } });
	});

	it('lists scripts by tag (the filter\'s last colon separates yes/no) and reads tags, settings and content', async () => {
		await scripts().update(NAMESPACE, 'sdk-other', {
			account_id: ACCOUNT,
			metadata: { main_module: 'other.js', tags: ['team:red'] },
			files: [new File([site('other')], 'other.js', { type: 'application/javascript+module' })]
		});
		const list = async (tags: string) =>
			((await sdk.get(scriptsPath, { query: { tags } })) as { result: { id: string }[] }).result.map((s) => s.id);
		expect(await list('team:blue:yes')).toEqual(['sdk-hello']);
		expect(await list('team:blue:no')).toEqual(['sdk-other']);
		expect(await list('staging:yes,team:red:yes')).toEqual([]);

		const tags: string[] = [];
		for await (const tag of scripts().tags.list(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT })) tags.push(tag);
		expect(tags).toEqual(['staging', 'team:blue']);
		const newTags: string[] = [];
		for await (const tag of scripts().tags.update(NAMESPACE, 'sdk-other', { account_id: ACCOUNT, body: ['team:blue'] })) newTags.push(tag);
		expect(newTags).toEqual(['team:blue']);
		expect(await list('team:blue:yes')).toEqual(['sdk-hello', 'sdk-other']);

		expect(await scripts().settings.get(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT })).toMatchObject({
			compatibility_date: '2026-01-15',
			tags: ['staging', 'team:blue'],
			bindings: []
		});
		const edited = await scripts().settings.edit(NAMESPACE, 'sdk-hello', {
			account_id: ACCOUNT,
			settings: { compatibility_date: '2026-02-01', tags: ['staging'] }
		});
		expect(edited).toMatchObject({ compatibility_date: '2026-02-01', tags: ['staging'] });
		expect(await admin.workers.get.query({ name: 'sdk-hello' })).toMatchObject({ code, compatibilityDate: '2026-02-01' });

		const content = await scripts().content.get(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT });
		const form = await new Response(await content.arrayBuffer(), { headers: content.headers }).formData();
		expect(await (form.get('worker.js') as File).text()).toBe(code);
	});

	it('replaces the content and keeps the settings', async () => {
		await scripts().content.update(NAMESPACE, 'sdk-hello', {
			account_id: ACCOUNT,
			metadata: { main_module: 'worker.js' },
			files: [new File([site('new content')], 'worker.js', { type: 'application/javascript+module' })]
		});
		expect(await served('sdk-hello')).toEqual({ status: 200, text: 'new content' });
		expect(await admin.workers.get.query({ name: 'sdk-hello' })).toMatchObject({ compatibilityDate: '2026-02-01' });
	});

	it('sets a secret the Worker reads on env, lists and reads it by name only, and deletes it', async () => {
		const value = 'sdk-secret-value-never-returned';
		const put = await scripts().secrets.update(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT, name: 'API_KEY', text: value, type: 'secret_text' });
		expect(put).toEqual({ name: 'API_KEY', type: 'secret_text' });
		const listed = [];
		for await (const secret of scripts().secrets.list(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT })) listed.push(secret);
		expect(listed).toEqual([{ name: 'API_KEY', type: 'secret_text' }]);
		const one = await api(`${scriptsPath}/sdk-hello/secrets/API_KEY`);
		expect(JSON.stringify(one.body)).not.toContain(value);
		expect((await admin.workers.settings.get.query({ name: 'sdk-hello' })).secrets).toEqual(['API_KEY']);
		// The Worker sees it on env (a Worker that echoes env, uploaded over the same API, keeping secrets).
		await scripts().content.update(NAMESPACE, 'sdk-hello', {
			account_id: ACCOUNT,
			metadata: { main_module: 'worker.js', keep_bindings: ['secret_text'] } as never,
			files: [new File(['export default { fetch: (r, env) => new Response(env.API_KEY) }'], 'worker.js', { type: 'application/javascript+module' })]
		});
		expect(await served('sdk-hello')).toEqual({ status: 200, text: value });
		await scripts().secrets.delete(NAMESPACE, 'sdk-hello', 'API_KEY', { account_id: ACCOUNT });
		expect((await admin.workers.settings.get.query({ name: 'sdk-hello' })).secrets).toEqual([]);
	});

	it('deletes; then the script is not found (10092) and its URL answers 404', async () => {
		await scripts().delete(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT, force: true });
		expect(await sdkRefusal(scripts().get(NAMESPACE, 'sdk-hello', { account_id: ACCOUNT }))).toEqual({
			status: 404,
			errors: [{ code: 10092, message: 'no Worker is named "sdk-hello"' }]
		});
		expect((await served('sdk-hello')).status).toBe(404);
		await expect(admin.workers.get.query({ name: 'sdk-hello' })).rejects.toThrow('no Worker is named "sdk-hello"');

		// Its tags went with it: the name uploaded again starts with none.
		const again = await scripts().update(NAMESPACE, 'sdk-hello', {
			account_id: ACCOUNT,
			metadata: { main_module: 'worker.js' },
			files: [new File([site('again')], 'worker.js', { type: 'application/javascript+module' })]
		});
		expect(again.tags).toEqual([]);
	});

	it('deletes by tag', async () => {
		await scripts().update(NAMESPACE, 'sdk-doomed', {
			account_id: ACCOUNT,
			metadata: { main_module: 'worker.js', tags: ['doomed'] },
			files: [new File([site('doomed')], 'worker.js', { type: 'application/javascript+module' })]
		});
		await sdk.delete(scriptsPath, { query: { tags: 'doomed:yes' } });
		expect((await served('sdk-doomed')).status).toBe(404);
		expect((await served('sdk-other')).status).toBe(200);
	});
});

describe('wrangler deploy --dispatch-namespace', () => {
	/** A copy of the fixture project (wrangler writes .wrangler/ into it), with `edit` applied to its config. */
	function project(edit: (config: string) => string = (config) => config): string {
		const folder = mkdtempSync(join(folders, 'project-'));
		cpSync(FIXTURE, folder, { recursive: true });
		const config = join(folder, 'wrangler.jsonc');
		writeFileSync(config, edit(readFileSync(config, 'utf8')));
		return folder;
	}

	function wrangler(cwd: string, token = ADMIN_TOKEN): Promise<{ code: number; output: string }> {
		const home = mkdtempSync(join(folders, 'home-'));
		return new Promise((resolve) =>
			execFile(
				process.execPath,
				[WRANGLER, 'deploy', '--dispatch-namespace', NAMESPACE],
				{
					cwd,
					timeout: 90_000,
					env: {
						PATH: process.env.PATH,
						HOME: home,
						XDG_CONFIG_HOME: join(home, '.config'),
						CLOUDFLARE_API_BASE_URL: `${app.url}/client/v4`,
						CLOUDFLARE_API_TOKEN: token,
						CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
						WRANGLER_SEND_METRICS: 'false',
						CI: 'true'
					}
				},
				(error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr })
			)
		);
	}

	it('deploys a TypeScript project with vars, which answers at /user-workers/<name>/, and deploys it again', { timeout: 180_000 }, async () => {
		const folder = project();
		const first = await wrangler(folder);
		expect(first.output).toContain('Uploaded wrangler-fixture');
		expect(first.output).toMatch(/Current Version ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
		expect(first.code).toBe(0);
		const response = await fetch(`${app.url}/user-workers/wrangler-fixture/hello`);
		expect(await response.json()).toEqual({ greeting: 'Hello from wrangler', path: '/hello' });
		expect((await admin.workers.settings.get.query({ name: 'wrangler-fixture' })).vars).toEqual({ GREETING: 'Hello from wrangler' });
		expect(await admin.workers.get.query({ name: 'wrangler-fixture' })).toMatchObject({ compatibilityDate: '2026-08-01', customerId: null });

		// The second deploy finds the script (GET answers it) and replaces its code.
		const source = join(folder, 'src/index.ts');
		writeFileSync(source, readFileSync(source, 'utf8').replace('path: pathname', 'path: pathname, version: 2'));
		const second = await wrangler(folder);
		expect(second.code, second.output).toBe(0);
		const redeployed = await fetch(`${app.url}/user-workers/wrangler-fixture/again`);
		expect(await redeployed.json()).toEqual({ greeting: 'Hello from wrangler', path: '/again', version: 2 });
	});

	it('deploys a project of several modules unbundled (no_bundle, find_additional_modules, module rules)', { timeout: 180_000 }, async () => {
		const folder = mkdtempSync(join(folders, 'modules-'));
		const files: Record<string, string> = {
			'wrangler.jsonc': JSON.stringify({
				name: 'wrangler-modules',
				main: 'src/index.js',
				compatibility_date: '2026-08-01',
				no_bundle: true,
				find_additional_modules: true,
				rules: [
					{ type: 'ESModule', globs: ['**/*.js'] },
					{ type: 'Text', globs: ['**/*.txt'] }
				]
			}),
			'src/index.js': `import { label } from './lib/label.js';\nimport page from './page.txt';\nexport default { fetch: () => new Response(label + ' ' + page) };\n`,
			'src/lib/label.js': 'export const label = "unbundled";\n',
			'src/page.txt': 'text module'
		};
		for (const [name, text] of Object.entries(files)) {
			mkdirSync(dirname(join(folder, name)), { recursive: true });
			writeFileSync(join(folder, name), text);
		}
		const { code, output } = await wrangler(folder);
		expect(code, output).toBe(0);
		expect(await served('wrangler-modules')).toEqual({ status: 200, text: 'unbundled text module' });
		const worker = await admin.workers.get.query({ name: 'wrangler-modules' });
		expect(worker.mainModule).toBe('index.js');
		expect(Object.keys(worker.modules).sort()).toEqual(['index.js', 'lib/label.js', 'page.txt']);
	});

	it("refuses a var with a bad name before anything changes; the deployed Worker stays", { timeout: 120_000 }, async () => {
		const { code, output } = await wrangler(project((config) => config.replace('"GREETING"', '"BAD-NAME"')));
		expect(code).not.toBe(0);
		expect(output).toContain('variable name "BAD-NAME" must be letters, digits and _');
		expect(await (await fetch(`${app.url}/user-workers/wrangler-fixture/`)).json()).toEqual({
			greeting: 'Hello from wrangler',
			path: '/',
			version: 2
		});
	});

	it('deploys a project with static assets: only new or changed files go up, and the assets and the Worker both serve', { timeout: 240_000 }, async () => {
		const folder = project((config) =>
			config.replace('"wrangler-fixture"', '"wrangler-assets"').replace('"main"', '"assets": { "directory": "./public", "binding": "ASSETS" },\n\t"main"')
		);
		mkdirSync(join(folder, 'public/css'), { recursive: true });
		writeFileSync(join(folder, 'public/index.html'), '<h1>wrangler assets</h1>');
		writeFileSync(join(folder, 'public/css/site.css'), 'body { color: teal }');
		const first = await wrangler(folder);
		expect(first.code, first.output).toBe(0);
		expect(first.output).toContain('Uploaded 2 files');
		const home = await fetch(`${app.url}/user-workers/wrangler-assets/`);
		expect(await home.text()).toBe('<h1>wrangler assets</h1>');
		expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(await served('wrangler-assets', 'css/site.css')).toEqual({ status: 200, text: 'body { color: teal }' });
		expect(await (await fetch(`${app.url}/user-workers/wrangler-assets/api`)).json()).toEqual({ greeting: 'Hello from wrangler', path: '/api' });

		writeFileSync(join(folder, 'public/index.html'), '<h1>wrangler assets, again</h1>');
		const second = await wrangler(folder);
		expect(second.code, second.output).toBe(0);
		expect(second.output).toContain('Uploaded 1 file (1 already uploaded)');
		expect(await served('wrangler-assets')).toEqual({ status: 200, text: '<h1>wrangler assets, again</h1>' });

		const third = await wrangler(folder);
		expect(third.code, third.output).toBe(0);
		expect(third.output).toContain('No updated asset files to upload');
		expect((await admin.assets.list.query({ name: 'wrangler-assets' })).files.map((file) => file.path)).toEqual(['/css/site.css', '/index.html']);
	});

	it('refuses asset settings the platform does not serve with, before anything changes', { timeout: 120_000 }, async () => {
		const folder = project((config) =>
			config
				.replace('"wrangler-fixture"', '"wrangler-spa"')
				.replace('"main"', '"assets": { "directory": "./public", "not_found_handling": "single-page-application" },\n\t"main"')
		);
		mkdirSync(join(folder, 'public'));
		writeFileSync(join(folder, 'public/index.html'), '<h1>spa</h1>');
		const { code, output } = await wrangler(folder);
		expect(code).not.toBe(0);
		expect(output).toContain('assets not_found_handling "single-page-application" is not supported by this platform');
		expect((await api(`${scriptsPath}/wrangler-spa`)).status).toBe(404);
	});

	it('fails with Cloudflare\'s authentication error for a wrong token', { timeout: 120_000 }, async () => {
		const { code, output } = await wrangler(project(), 'not-a-token');
		expect(code).not.toBe(0);
		expect(output).toContain('Authentication error');
		expect(output).toContain('[code: 10000]');
	});
});

describe('error envelopes', () => {
	it('refuses a wrong token (403, 10000) and no token (400, 9106), on every path', async () => {
		for (const path of ['/accounts', scriptsPath, `${scriptsPath}/anything`, '/no/such/route']) {
			const wrong = await api(path, { token: 'wfp_not-a-real-token' });
			expect(wrong.status).toBe(403);
			expect(wrong.body).toMatchObject({ success: false, messages: [], result: null });
			expect(wrong.body.errors).toEqual([{ code: 10000, message: expect.stringContaining('Authentication error: the token is not valid') }]);
			const anonymous = await api(path, { token: null });
			expect(anonymous.status).toBe(400);
			expect(anonymous.body.errors).toEqual([{ code: 9106, message: expect.stringContaining('Missing X-Auth-Key, X-Auth-Email or Authorization headers') }]);
		}
	});

	it('answers a missing script with 10092 (what wrangler takes as "not deployed yet") and account scripts with 10007', async () => {
		const missing = await api(`${scriptsPath}/never-uploaded`);
		expect(missing).toEqual({
			status: 404,
			body: { success: false, errors: [{ code: 10092, message: 'no Worker is named "never-uploaded"' }], messages: [], result: null }
		});
		expect((await api(`/accounts/${ACCOUNT}/workers/scripts/never-uploaded/settings`)).body.errors[0].code).toBe(10007);
	});

	it('refuses a syntax error with 400 naming the file and line, and the old version keeps serving', async () => {
		expect((await put('steady', wranglerForm({ main_module: 'index.js' }, { 'index.js': [site('v1')] }))).status).toBe(200);
		const broken = await put('steady', wranglerForm({ main_module: 'index.js' }, { 'index.js': ['export default {\n  fetch() { return new Response("x") \n'] }));
		expect(broken.status).toBe(400);
		expect(broken.body.success).toBe(false);
		expect(broken.body.errors).toEqual([{ code: 10021, message: expect.stringMatching(/^index\.js: syntax error at line 3, column \d+: /) }]);
		expect(await served('steady')).toEqual({ status: 200, text: 'v1' });
	});

	it('takes several modules, one part each with its content type, and serves them; a missing import is refused naming file, specifier and line', async () => {
		const wasm = Buffer.from(ADD_WASM, 'base64');
		const form = wranglerForm(
			{ main_module: 'index.js' },
			{
				'index.js': [
					`import { label } from './lib/label.js';\nimport page from './page.txt';\nimport legacy from './lib/legacy.cjs';\nimport add from './add.wasm';\n` +
						`const sum = new WebAssembly.Instance(add).exports.add(2, 3);\n` +
						`export default { fetch: () => new Response([label, page, legacy.shout('x'), sum].join(' ')) };`
				],
				'lib/label.js': ['export const label = "modules";'],
				'lib/legacy.cjs': ['module.exports = { shout: (s) => s.toUpperCase() };', 'application/javascript'],
				'page.txt': ['text', 'text/plain']
			}
		);
		form.append('add.wasm', new File([wasm], 'add.wasm', { type: 'application/wasm' }));
		expect((await put('several', form)).status).toBe(200);
		expect(await served('several')).toEqual({ status: 200, text: 'modules text X 5' });

		// The content endpoint answers every module with its kind's content type, the main one named.
		const content = await fetch(`${app.url}/client/v4${scriptsPath}/several/content`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
		expect(content.headers.get('cf-entrypoint')).toBe('index.js');
		const parts = await content.formData();
		expect([...parts.keys()].sort()).toEqual(['add.wasm', 'index.js', 'lib/label.js', 'lib/legacy.cjs', 'page.txt']);
		expect((parts.get('lib/legacy.cjs') as File).type).toBe('application/javascript');
		expect(Buffer.from(await (parts.get('add.wasm') as File).arrayBuffer()).equals(wasm)).toBe(true);

		const missing = await put('several', wranglerForm({ main_module: 'index.js' }, { 'index.js': [`import x from "./gone.js";\n${site('x')}`] }));
		expect(missing.body.errors[0]).toEqual({ code: 10021, message: 'index.js: line 1: cannot import "./gone.js": no uploaded module is named "gone.js"' });
		expect(await served('several')).toEqual({ status: 200, text: 'modules text X 5' });
	});

	it('refuses a missing main module, unknown binding types and badly named vars; drops source maps', async () => {
		const missing = await put('steady', wranglerForm({ main_module: 'main.js' }, { 'index.js': [site('v2')] }));
		expect(missing.body.errors[0]).toEqual({ code: 10021, message: 'main_module "main.js" names no module of the upload (its modules: index.js)' });
		const kv = await put('steady', wranglerForm({ main_module: 'index.js', bindings: [{ type: 'kv_namespace', name: 'CACHE', namespace_id: 'x' }] }, { 'index.js': [site('v2')] }));
		expect(kv.status).toBe(400);
		expect(kv.body.errors[0].message).toContain('binding "CACHE" has type "kv_namespace", which this platform does not offer');
		const badVar = await put('steady', wranglerForm({ main_module: 'index.js', bindings: [{ type: 'plain_text', name: '1MODE', text: 'x' }] }, { 'index.js': [site('v2')] }));
		expect(badVar.status).toBe(400);
		expect(badVar.body.errors[0].message).toContain('variable name "1MODE" must be letters, digits and _');
		expect(await served('steady')).toEqual({ status: 200, text: 'v1' });

		const withMap = await put(
			'steady',
			wranglerForm({ main_module: 'index.js', keep_bindings: ['secret_text'] }, { 'index.js': [site('v2')], 'index.js.map': ['{"version":3}', 'application/source-map'] })
		);
		expect(withMap.status).toBe(200);
		expect(await served('steady')).toEqual({ status: 200, text: 'v2' });
	});

	it('answers an unknown namespace, another account, an unknown route and a wrong method in the envelope', async () => {
		const otherNamespace = await api(`/accounts/${ACCOUNT}/workers/dispatch/namespaces/production/scripts/steady`);
		expect(otherNamespace.status).toBe(404);
		expect(otherNamespace.body.errors[0].message).toContain(`this platform serves one, "${NAMESPACE}"`);
		const otherAccount = await api(`/accounts/0123456789abcdef0123456789abcdef/workers/dispatch/namespaces`);
		expect(otherAccount).toMatchObject({ status: 403, body: { errors: [{ code: 10000 }] } });
		expect(await api('/zones')).toMatchObject({ status: 404, body: { success: false, errors: [{ code: 7003 }] } });
		expect(await api(`${scriptsPath}/steady`, { method: 'POST' })).toMatchObject({ status: 405, body: { errors: [{ code: 10405 }] } });
	});

	it('lists the one account and its one namespace', async () => {
		expect(await sdk.user.tokens.verify()).toEqual({ id: 'operator', status: 'active' });
		const accounts = await api('/accounts');
		expect(accounts.body).toMatchObject({ success: true, result: [{ id: ACCOUNT }], result_info: { count: 1 } });
		const namespaces = await sdk.workersForPlatforms.dispatch.namespaces.list({ account_id: ACCOUNT });
		expect(namespaces.result).toEqual([expect.objectContaining({ namespace_name: NAMESPACE, script_count: expect.any(Number) })]);
		expect(await sdk.workersForPlatforms.dispatch.namespaces.get(NAMESPACE, { account_id: ACCOUNT })).toMatchObject({ namespace_name: NAMESPACE });
	});
});

describe("customers' tokens", () => {
	let a: { id: string; token: string };
	let b: { id: string; token: string };

	beforeAll(async () => {
		const token = async (name: string) => {
			const customer = await admin.customers.create.mutate({ name });
			return { id: customer.id, token: (await admin.tokens.create.mutate({ customerId: customer.id, label: 'api' })).token };
		};
		a = await token('API customer A');
		b = await token('API customer B');
	});

	it("see only their own scripts; another customer's is not found and its name is taken", async () => {
		expect((await put('a-api', wranglerForm({ main_module: 'index.js', tags: ['plan:free'] }, { 'index.js': [site('A')] }), a.token)).status).toBe(200);
		expect(await admin.workers.get.query({ name: 'a-api' })).toMatchObject({ customerId: a.id });

		const listed = (token: string, query = '') => api(`${scriptsPath}${query}`, { token }).then(({ body }) => body.result.map((s: { id: string }) => s.id));
		expect(await listed(a.token)).toEqual(['a-api']);
		expect(await listed(b.token)).toEqual([]);
		expect(await listed(b.token, '?tags=plan:free:yes')).toEqual([]);
		expect(await listed(ADMIN_TOKEN, '?tags=plan:free:yes')).toEqual(['a-api']);

		for (const path of ['', '/content', '/settings', '/tags']) {
			const refused = await api(`${scriptsPath}/a-api${path}`, { token: b.token });
			expect(refused).toMatchObject({ status: 404, body: { errors: [{ code: 10092, message: 'no Worker is named "a-api"' }] } });
		}
		expect((await api(`${scriptsPath}/a-api`, { method: 'DELETE', token: b.token })).status).toBe(404);
		const taken = await put('a-api', wranglerForm({ main_module: 'index.js' }, { 'index.js': [site('B')] }), b.token);
		expect(taken).toMatchObject({ status: 409, body: { errors: [{ message: 'the name "a-api" is taken; choose another name' }] } });
		// B's tag-filtered delete reaches only B's scripts.
		expect((await api(`${scriptsPath}?tags=plan:free:yes`, { method: 'DELETE', token: b.token })).status).toBe(200);
		expect(await served('a-api')).toEqual({ status: 200, text: 'A' });
	});

	it('see a Worker uploaded through tRPC as a script of the namespace, and the other way round', async () => {
		const customer = createPlatformClient(app.url, { token: a.token });
		await customer.workers.upload.mutate({ name: 'a-trpc', code: site('from tRPC'), compatibilityDate: '2026-04-01' });
		const script = await api(`${scriptsPath}/a-trpc`, { token: a.token });
		expect(script.body.result.script).toMatchObject({ id: 'a-trpc', compatibility_date: '2026-04-01', tags: [] });
		expect((await api(`${scriptsPath}/a-trpc`, { method: 'DELETE', token: a.token })).status).toBe(200);
		expect((await customer.workers.list.query()).workers.map((w) => w.name)).toEqual(['a-api']);
	});

	it("start asset upload sessions for their own Workers only; a bucket needs its session's upload token; a completion token is its owner's", async () => {
		const hash = 'a'.repeat(32);
		const manifest = { '/a.txt': { hash, size: 1 } };
		const session = (token: string | null, name: string) =>
			api(`${scriptsPath}/${name}/assets-upload-session`, {
				method: 'POST',
				token,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ manifest })
			});
		expect(await session(b.token, 'a-api')).toMatchObject({ status: 409, body: { errors: [{ message: 'the name "a-api" is taken; choose another name' }] } });
		expect((await session(null, 'a-api')).status).toBe(400);
		const started = await session(a.token, 'a-api');
		expect(started.status).toBe(200);
		expect(started.body.result.buckets).toEqual([[hash]]);

		const bucket = (authorization: string | null) => {
			const form = new FormData();
			form.append(hash, new File([btoa('x')], hash, { type: 'text/plain' }));
			return fetch(`${app.url}/client/v4/accounts/${ACCOUNT}/workers/assets/upload?base64=true`, {
				method: 'POST',
				headers: authorization === null ? {} : { authorization },
				body: form
			});
		};
		// No token, API tokens (the customer's own, the operator's) and a forged one are not upload tokens.
		for (const authorization of [null, `Bearer ${a.token}`, `Bearer ${ADMIN_TOKEN}`, 'Bearer eyJhbGciOiJub25lIn0.e30.'])
			expect((await bucket(authorization)).status).toBe(401);
		const uploaded = await bucket(`Bearer ${started.body.result.jwt}`);
		expect(uploaded.status).toBe(201);
		const completion: string = ((await uploaded.json()) as { result: { jwt: string } }).result.jwt;

		// B cannot use A's completion token, not even for a Worker of its own; A can.
		const withAssets = (name: string, token: string) =>
			put(name, wranglerForm({ main_module: 'index.js', assets: { jwt: completion } }, { 'index.js': [site(`${name} with assets`)] }), token);
		expect(await withAssets('b-assets', b.token)).toMatchObject({ status: 400, body: { errors: [{ message: expect.stringContaining('no such asset upload session') }] } });
		expect((await api(`${scriptsPath}/b-assets`, { token: b.token })).status).toBe(404);
		expect((await withAssets('a-api', a.token)).status).toBe(200);
		expect(await served('a-api', 'a.txt')).toEqual({ status: 200, text: 'x' });
		expect(await served('a-api', 'other')).toEqual({ status: 200, text: 'a-api with assets' });
	});

	it("count the namespace's scripts as their own", async () => {
		const namespace = (token: string) => api(`/accounts/${ACCOUNT}/workers/dispatch/namespaces/${NAMESPACE}`, { token });
		expect((await namespace(a.token)).body.result.script_count).toBe(1);
		expect((await namespace(b.token)).body.result.script_count).toBe(0);
	});
});

describe("the platform's own cloudflare backend, pointed at this API", () => {
	it('deploys, reads, deletes, deletes again (already gone is fine) and deletes by owner', async () => {
		const config = readConfig({
			PLATFORM_BACKEND: 'cloudflare',
			CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
			CLOUDFLARE_API_TOKEN: ADMIN_TOKEN,
			DISPATCH_NAMESPACE: NAMESPACE,
			CLOUDFLARE_API_BASE_URL: `${app.url}/client/v4`
		} as Env);
		// The DISPATCHER binding only runs requests on Cloudflare; here the app under test serves them.
		// The version store is the platform's own; these deploys hand the code over directly.
		const source = { worker: async () => null, settings: async () => ({ vars: {}, secrets: {} }) };
		const backend = createCloudflareBackend({ DISPATCHER: {} } as Env, config, source);
		const script = (scriptId: string, customerId: string | null = null): StoredWorker => ({
			name: scriptId,
			scriptId,
			version: 1,
			settings: '',
			deployment: 1,
			sha256: '',
			size: 0,
			compatibilityDate: '2026-03-01',
			createdAt: '',
			updatedAt: '',
			customerId
		});

		const oneModule = (source: string) => ({ mainModule: 'worker.js', modules: { 'worker.js': { kind: 'esm' as const, source } } });
		await backend.deploy(script('backend-check'), oneModule(site('deployed by the backend')), {});
		expect(await served('backend-check')).toEqual({ status: 200, text: 'deployed by the backend' });
		expect(await admin.workers.get.query({ name: 'backend-check' })).toMatchObject({
			compatibilityDate: '2026-03-01',
			code: site('deployed by the backend')
		});
		await expect(backend.deploy(script('backend-check'), oneModule('export default {'), {})).rejects.toThrow(/Cloudflare rejected the script: worker\.js: syntax error at line 1/);

		await backend.remove('backend-check', []);
		expect((await served('backend-check')).status).toBe(404);
		await backend.remove('backend-check', []);

		await backend.deploy(script('backend-owned', 'customer-7'), oneModule(site('owned')), {});
		await backend.deploy(script('backend-kept', 'customer-8'), oneModule(site('kept')), {});
		await backend.removeOwnedBy('customer-7');
		expect((await served('backend-owned')).status).toBe(404);
		expect(await served('backend-kept')).toEqual({ status: 200, text: 'kept' });
	});
});
