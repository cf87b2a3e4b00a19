// The Cloudflare-compatible API's pure parts: reading uploads in the forms wrangler and the SDK send,
// the one mapping of the platform's errors to the envelope, and the throttle's refusal in the envelope.
// tests/e2e/cloudflare-api.test.ts drives the whole API with the real clients.
import { describe, expect, it, vi } from 'vitest';
import { parseScriptUpload } from '$lib/server/cloudflare-api/multipart';
import { assetToken, sessionOfToken } from '$lib/server/cloudflare-api/assets';
import { CloudflareApiError, errorResponse } from '$lib/server/cloudflare-api/envelope';
import { ConflictError, InputError, NotFoundError, QuotaError } from '$lib/server/errors';
import { tooManyFailures } from '$lib/server/throttle';

const CODE = 'export default { fetch: () => new Response("hi") }';
const module = (name: string, code = CODE, type = 'application/javascript+module') => new File([code], name, { type });

function upload(parts: [string, string | File][], headers: Record<string, string> = {}): Request {
	const form = new FormData();
	for (const [name, value] of parts) form.append(name, value);
	return new Request('http://platform.test/client/v4/x', { method: 'PUT', body: form, headers });
}

const refusal = (request: Request, maxBytes = 1 << 20) =>
	parseScriptUpload(request, maxBytes).then(
		() => null,
		(error) => error
	);

describe('asset upload tokens', () => {
	it('name their session for their phase until they expire, and nothing else passes', () => {
		const now = Date.UTC(2026, 11, 2);
		const upload = assetToken('owner:session-id', 'upload', now);
		expect(sessionOfToken(upload, 'upload', now + 1000)).toBe('owner:session-id');
		expect(sessionOfToken(upload, 'complete', now + 1000)).toBeNull();
		expect(sessionOfToken(upload, 'upload', now + 3_600_000)).toBeNull();
		const [header, payload] = upload.split('.');
		// wrangler reads the payload as base64 JSON: it holds the expiry in seconds.
		expect(JSON.parse(Buffer.from(payload, 'base64').toString())).toEqual({ session: 'owner:session-id', phase: 'upload', exp: now / 1000 + 3600 });
		for (const forged of [`${header}.${payload}.sig`, `${header}.${payload}`, 'wfp_token', `${header}.e30.`, ''])
			expect(sessionOfToken(forged, 'upload', now)).toBeNull();
	});
});

describe('parseScriptUpload', () => {
	it("reads wrangler's form: modules named by file name, source maps dropped, bindings sorted into vars and secrets", async () => {
		const metadata = {
			main_module: 'index.js',
			compatibility_date: '2026-08-01',
			compatibility_flags: [],
			bindings: [
				{ type: 'plain_text', name: 'GREETING', text: 'hi' },
				{ type: 'secret_text', name: 'KEY', text: 's3cret' }
			],
			keep_bindings: ['secret_text', 'secret_key'],
			tags: ['a']
		};
		const parsed = await parseScriptUpload(
			upload([
				['metadata', JSON.stringify(metadata)],
				['index.js', module('index.js')],
				['index.js.map', module('index.js.map', '{"version":3}', 'application/source-map')]
			]),
			1 << 20
		);
		expect(parsed).toEqual({
			modules: { mainModule: 'index.js', modules: { 'index.js': CODE } },
			compatibilityDate: '2026-08-01',
			tags: ['a'],
			bindings: { vars: { GREETING: 'hi' }, secrets: { KEY: 's3cret' }, keepBindings: ['secret_text', 'secret_key'] }
		});
	});

	it("reads the SDK's form: metadata as a JSON file, modules in `files` parts named by their file name", async () => {
		const parsed = await parseScriptUpload(
			upload([
				['metadata', new File([JSON.stringify({ main_module: 'worker.js' })], 'metadata', { type: 'application/json' })],
				['files', module('worker.js')]
			]),
			1 << 20
		);
		expect(parsed.modules).toEqual({ mainModule: 'worker.js', modules: { 'worker.js': CODE } });
		expect(parsed.tags).toBeUndefined();
	});

	it("reads metadata.assets' completion token as its session, and keep_assets as the serving version's assets", async () => {
		const script = (metadata: object) => upload([['metadata', JSON.stringify({ main_module: 'index.js', ...metadata })], ['index.js', module('index.js')]]);
		const token = assetToken('owner:session-id', 'complete');
		expect((await parseScriptUpload(script({ assets: { jwt: token, config: { html_handling: 'auto-trailing-slash' } } }), 1 << 20)).assets).toEqual({ session: 'owner:session-id' });
		expect((await parseScriptUpload(script({ keep_assets: true, bindings: [{ type: 'assets', name: 'ASSETS' }] }), 1 << 20)).assets).toEqual({ keep: true });
		expect((await parseScriptUpload(script({}), 1 << 20)).assets).toBeUndefined();
	});

	it('takes the main module from the CF-WORKER-MAIN-MODULE-PART header when the metadata names none', async () => {
		const request = upload([['metadata', '{}'], ['files', module('main.mjs')]], { 'cf-worker-main-module-part': 'main.mjs' });
		expect((await parseScriptUpload(request, 1 << 20)).modules.mainModule).toBe('main.mjs');
	});

	it('refuses what the platform cannot run, naming it', async () => {
		const cases: [parts: [string, string | File][], message: string][] = [
			[[['index.js', module('index.js')]], 'the upload has no "metadata" part'],
			[[['metadata', '{'], ['index.js', module('index.js')]], 'the "metadata" part is not valid JSON'],
			[[['metadata', '{"body_part":"script"}'], ['script', module('script')]], 'Service Worker syntax (body_part) is not supported'],
			[[['metadata', '{}'], ['index.js', module('index.js')]], 'metadata.main_module is required'],
			[[['metadata', '{"main_module":"index.js","compatibility_flags":["nodejs_compat"]}'], ['index.js', module('index.js')]], 'compatibility_flags are not supported yet (got "nodejs_compat")'],
			[[['metadata', '{"main_module":"index.js","bindings":[{"type":"d1","name":"DB"}]}'], ['index.js', module('index.js')]], 'binding "DB" has type "d1"'],
			[[['metadata', '{"main_module":"index.js","assets":{"jwt":"x"}}'], ['index.js', module('index.js')]], 'metadata.assets.jwt is not a completion token of this platform'],
			[[['metadata', JSON.stringify({ main_module: 'index.js', assets: { jwt: assetToken('o:s', 'complete'), config: { html_handling: 'drop-trailing-slash' } } })], ['index.js', module('index.js')]], 'assets html_handling "drop-trailing-slash" is not supported by this platform'],
			[[['metadata', JSON.stringify({ assets: { jwt: assetToken('o:s', 'complete') } })], ['index.js', module('index.js')]], 'a Worker of static assets alone is not supported'],
			[[['metadata', '{"main_module":"index.js","bindings":[{"type":"assets","name":"STATIC"}]}'], ['index.js', module('index.js')]], 'the assets binding is named ASSETS on this platform, not "STATIC"'],
			[[['metadata', '{"main_module":"index.js","tags":"a"}'], ['index.js', module('index.js')]], 'metadata.tags must be an array'],
			[[['metadata', '{"main_module":"index.js"}'], ['index.js', module('index.js')], ['app.py', module('app.py', 'x', 'text/x-python')]], 'app.py: Python Workers are not supported'],
			[[['metadata', '{"main_module":"index.js"}'], ['index.js', module('index.js')], ['lib.js', module('lib.js', 'x', 'text/plain')]], 'lib.js: sent as text/plain, but its name makes it an ES module']
		];
		for (const [parts, message] of cases) {
			const error = await refusal(upload(parts));
			expect(error, message).toBeInstanceOf(InputError);
			expect(error.message).toContain(message);
		}
	});

	it('reads several modules, by name, with wasm and data modules as base64', async () => {
		const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
		const parsed = await parseScriptUpload(
			upload([
				['metadata', '{"main_module":"src/index.js"}'],
				['src/index.js', module('src/index.js')],
				['lib/legacy.cjs', module('lib/legacy.cjs', 'module.exports = 1', 'application/javascript')],
				['greeting.txt', module('greeting.txt', 'hello', 'text/plain')],
				['add.wasm', new File([wasm], 'add.wasm', { type: 'application/wasm' })]
			]),
			1 << 20
		);
		expect(parsed.modules).toEqual({
			mainModule: 'src/index.js',
			modules: { 'src/index.js': CODE, 'lib/legacy.cjs': 'module.exports = 1', 'greeting.txt': 'hello', 'add.wasm': 'AGFzbQEAAAA=' }
		});
	});

	it('refuses a body that is not multipart, and one over the limit with 413', async () => {
		const json = new Request('http://platform.test/', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
		expect((await refusal(json)).message).toBe('expected a multipart/form-data body, got "application/json"');
		const large = await refusal(upload([['metadata', '{"main_module":"index.js"}'], ['index.js', module('index.js', 'x'.repeat(5000))]]), 4096);
		expect(large).toBeInstanceOf(CloudflareApiError);
		expect(large.status).toBe(413);
	});
});

describe('errorResponse', () => {
	it("maps each kind of the platform's errors once, keeping its message", async () => {
		const cases: [Error, number, number][] = [
			[new InputError('code', 'syntax error at line 1'), 400, 10021],
			[new NotFoundError('no Worker is named "x"'), 404, 10092],
			[new ConflictError('the name "x" is taken'), 409, 10409],
			[new QuotaError('your plan allows 2 Workers'), 403, 10403]
		];
		for (const [error, status, code] of cases) {
			const response = errorResponse(error);
			expect(response.status).toBe(status);
			expect(await response.json()).toEqual({ success: false, errors: [{ code, message: error.message }], messages: [], result: null });
		}
	});

	it('answers anything else with a 500 that reveals nothing', async () => {
		const log = vi.spyOn(console, 'error').mockImplementation(() => {});
		const response = errorResponse(new Error('D1_ERROR: secret detail'));
		expect(log).toHaveBeenCalledOnce();
		log.mockRestore();
		expect(response.status).toBe(500);
		expect(JSON.stringify(await response.json())).not.toContain('secret detail');
	});
});

it("answers a locked-out client of the API in the envelope with Cloudflare's 971 and Retry-After", async () => {
	const response = tooManyFailures(42, new URL('http://platform.test/client/v4/accounts'));
	expect(response.status).toBe(429);
	expect(response.headers.get('retry-after')).toBe('42');
	expect(await response.json()).toEqual({
		success: false,
		errors: [{ code: 971, message: 'too many wrong tokens from this address: try again in 42 s' }],
		messages: [],
		result: null
	});
});
