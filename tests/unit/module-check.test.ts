import { describe, expect, it } from 'vitest';
import { prepareModules } from '$lib/server/modules/bundle';
import { singleModule } from '$lib/server/modules/kinds';
import { InputError } from '$lib/server/errors';

const LIMITS = { maxBytes: 1 << 20, limitName: 'MAX_SCRIPT_BYTES' };

async function problem(code: string): Promise<string | null> {
	try {
		await prepareModules(singleModule(code), LIMITS, true);
		return null;
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		expect((error as InputError).field).toBe('code');
		return (error as Error).message;
	}
}

describe('the checks of a one-module (code) upload', () => {
	it.each([
		'export default { fetch() { return new Response("hi") } }',
		'export default { async fetch(request, env, ctx) { return new Response("hi") } }',
		'const handler = { fetch: () => new Response("x") }; export default handler;',
		'const fetch = () => new Response("x"); export default { fetch };',
		'class App { fetch() { return new Response("x") } } export default new App();',
		'import { WorkerEntrypoint } from "cloudflare:workers"; export default class extends WorkerEntrypoint { fetch() { return new Response("x") } }',
		'const handler = { fetch() { return new Response("x") } }; export { handler as default };',
		'const base = { fetch() { return new Response("x") } }; export default { ...base };'
	])('accepts %s', async (code) => {
		expect(await problem(code)).toBeNull();
	});

	it('names line and column of a syntax error', async () => {
		expect(await problem('export default {\n  fetch() {\n    return new Response("x"\n  }\n}')).toBe(
			'syntax error at line 4, column 3: Unexpected token'
		);
	});

	it('rejects Service Worker syntax with a pointer to modules', async () => {
		expect(await problem('addEventListener("fetch", (e) => e.respondWith(new Response("x")))')).toMatch(
			/^Service Worker syntax \(addEventListener\("fetch", \.\.\.\)\) is not supported/
		);
	});

	it.each([
		['const x = 1;', 'has no default export'],
		['export default { scheduled() {} }', 'default export has no fetch handler'],
		['export default function () {}', 'is a function, not an object with a fetch handler'],
		['export default class { get() {} }', 'class without a fetch method'],
		['export default 42', 'not an object with a fetch handler'],
		['import x from "./other.js"; export default x', 'cannot import "./other.js"'],
		['import { Hono } from "hono"; export default new Hono()', 'cannot import "hono"']
	])('rejects %j', async (code, message) => {
		expect(await problem(code)).toContain(message);
	});
});

/** The InputError message of uploading `modules` with `mainModule`, or the prepared modules. */
async function prepare(mainModule: string, modules: Record<string, string>, limits = LIMITS) {
	try {
		return await prepareModules({ mainModule, modules }, limits);
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return (error as Error).message;
	}
}

const WORKER = 'export default { fetch() { return new Response("x") } }';

describe('the checks of a module set (mainModule + modules)', () => {
	it('resolves imports against the importing module and rewrites them to the module names', async () => {
		const prepared = await prepare('src/index.ts', {
			'src/index.ts': 'import { greet } from "./util";\nimport data from "../data.json";\nimport type { T } from "./types";\nexport default { fetch(r: Request): Response { return new Response(greet(data.name)) } };',
			'src/util.ts': 'export const greet = (name: string): string => `hi ${name}`;',
			'src/types.ts': 'export type T = { a: number };',
			'data.json': '{"name":"world"}'
		});
		if (typeof prepared === 'string') throw new Error(prepared);
		// Types gone, lines kept, "./util" rewritten to the module's name; data.json already named exactly.
		expect(prepared.compiled['src/index.ts']).toBe(
			'import { greet } from "./util.ts";\nimport data from "../data.json";\n\nexport default { fetch(r) { return new Response(greet(data.name)) } };'
		);
		expect(prepared.compiled['src/util.ts']).toBe('export const greet = (name) => `hi ${name}`;');
		expect(prepared.compiled['data.json']).toBeUndefined();
		expect(prepared.set.modules['src/index.ts']).toContain('r: Request');
	});

	it.each([
		['./util.js', 'util.ts', './util.ts'],
		['./util', 'util.js', './util.js'],
		['./lib', 'lib/index.ts', './lib/index.ts'],
		['lib/x.mjs', 'lib/x.mts', './lib/x.mts'],
		['/lib/x.js', 'lib/x.js', './lib/x.js']
	])('resolves %j to the module %j', async (specifier, target, rewritten) => {
		const prepared = await prepare('index.js', { 'index.js': `import x from ${JSON.stringify(specifier)};\n${WORKER}`, [target]: 'export default 1;' });
		if (typeof prepared === 'string') throw new Error(prepared);
		expect(prepared.compiled['index.js'] ?? prepared.set.modules['index.js']).toContain(`from ${JSON.stringify(rewritten)}`);
	});

	it('refuses a missing import naming the importing file, the specifier and the line', async () => {
		expect(await prepare('index.js', { 'index.js': WORKER, 'lib/a.js': 'export const a = 1;\n\nimport { b } from "./b.js";' })).toBe(
			'lib/a.js: line 3: cannot import "./b.js": no uploaded module is named "lib/b.js"'
		);
		expect(await prepare('index.js', { 'index.js': `import { Hono } from "hono";\n${WORKER}` })).toMatch(
			/^index\.js: line 1: cannot import "hono": no uploaded module is named "hono" \(bundle npm packages/
		);
		expect(await prepare('index.js', { 'index.js': `import "../up.js";\n${WORKER}` })).toContain('cannot import "../up.js"');
		expect(await prepare('main.cjs.js', { 'main.cjs.js': WORKER, 'a.cjs': 'const x = require("./x.js");' })).toBe(
			'a.cjs: line 1: cannot import "./x.js": no uploaded module is named "x.js"'
		);
	});

	it('allows the runtime modules cloudflare:* and node:*', async () => {
		const code = `import { WorkerEntrypoint } from "cloudflare:workers";\nimport { Buffer } from "node:buffer";\n${WORKER}`;
		expect(typeof (await prepare('index.js', { 'index.js': code }))).toBe('object');
	});

	it('reports a TypeScript syntax error at the line and column of the original source', async () => {
		expect(await prepare('src/index.ts', { 'src/index.ts': 'const a: number = 1;\nconst b: = 2;\nexport default { fetch() { return new Response("x") } };' })).toBe(
			'src/index.ts: syntax error at line 2, column 10: Unexpected token'
		);
	});

	it('follows the main module re-exporting its default export', async () => {
		expect(typeof (await prepare('index.js', { 'index.js': 'export { default } from "./app.js";', 'app.js': WORKER }))).toBe('object');
		expect(await prepare('index.js', { 'index.js': 'export { default } from "./app.js";', 'app.js': 'export default 42' })).toContain(
			'index.js: its default export comes from app.js, where the default export is not an object with a fetch handler'
		);
	});

	it('checks names, kinds, JSON, base64, the main module and the total size', async () => {
		const cases: [string, Record<string, string>, string][] = [
			['index.js', { 'index.js': WORKER, '../x.js': '' }, 'module name "../x.js" must not contain empty, "." or ".." path segments'],
			['index.js', { 'index.js': WORKER, '/x.js': '' }, 'module name "/x.js" must be relative'],
			['index.js', { 'index.js': WORKER, 'a\\b.js': '' }, 'must use "/" between folders'],
			['index.js', { 'index.js': WORKER, 'x.exe': '' }, 'module name "x.exe" has no module extension'],
			['index.js', { 'index.js': WORKER, 'a?b.js': '' }, 'module name "a?b.js" must not contain "?", "#", "%" or ":"'],
			['index.js', { 'index.js': WORKER, '__wfp-entry.js': '' }, 'which the platform keeps for its own modules'],
			['missing.js', { 'index.js': WORKER }, 'mainModule "missing.js" is not among the modules (index.js)'],
			['data.json', { 'data.json': '{}' }, 'mainModule "data.json" must be an ES module or TypeScript'],
			['index.js', { 'index.js': WORKER, 'data.json': '{nope' }, 'data.json: not valid JSON'],
			['index.js', { 'index.js': WORKER, 'add.wasm': 'not base64!' }, 'add.wasm: a WebAssembly module\'s source must be base64'],
			['index.js', { 'index.js': WORKER, 'add.wasm': btoa('text') }, 'add.wasm: not a WebAssembly module'],
			['index.js', { 'index.js': WORKER, 'big.txt': 'x'.repeat(2000) }, 'the modules total 2 KiB; the limit is 1 KiB (MAX_SCRIPT_BYTES)']
		];
		for (const [main, modules, message] of cases)
			expect(await prepare(main, modules, { maxBytes: 1024, limitName: 'MAX_SCRIPT_BYTES' }), message).toContain(message);
		const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}.js`, WORKER]));
		expect(await prepare('m0.js', many)).toBe('101 modules; a Worker may have at most 100');
	});

	it('digests a one-file worker.js as its source, and a set as all of it', async () => {
		const single = await prepareModules(singleModule(WORKER), LIMITS, true);
		const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(WORKER));
		expect(single.sha256).toBe(Buffer.from(digest).toString('hex'));
		const a = await prepareModules({ mainModule: 'index.js', modules: { 'index.js': WORKER, 'a.txt': 'a' } }, LIMITS);
		const b = await prepareModules({ mainModule: 'index.js', modules: { 'index.js': WORKER, 'a.txt': 'b' } }, LIMITS);
		expect(a.sha256).not.toBe(b.sha256);
		expect(a.size).toBe(WORKER.length + 1);
	});
});
