// Workers made of several modules, TypeScript among them, uploaded through the router and run by the
// local backend's real Worker Loader in this workerd (the in-process path; tests/e2e/api.test.ts runs the
// runner processes' path).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hello, ORIGIN, setup, trpcError, useEmptyKv } from './helpers';
import { PROJECT, PROJECT_ANSWER } from '../support/module-fixtures';
import { codeKey } from '$lib/server/versions/store';

const dispatch = async (platform: ReturnType<typeof setup>['platform'], path: string, init?: RequestInit) => {
	const { dispatchToUserWorker } = await import('$lib/server/dispatch');
	const url = new URL(path, ORIGIN);
	return dispatchToUserWorker(new Request(url, init), url, platform);
};

describe('Workers of several modules and TypeScript (real KV, real Worker Loader)', () => {
	useEmptyKv();

	it('runs a TypeScript Worker importing TypeScript, JSON, text, CommonJS, wasm and data modules', async () => {
		const { caller, platform } = setup();
		const record = await caller.workers.upload({ name: 'project', ...PROJECT });
		const response = await dispatch(platform, '/user-workers/project/');
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual(PROJECT_ANSWER);

		// The version keeps what the customer wrote (the .ts with its types), and its size is the whole set's.
		const stored = await caller.workers.get({ name: 'project' });
		expect(stored.mainModule).toBe('src/index.ts');
		expect(stored.modules).toEqual(PROJECT.modules);
		expect(stored.code).toBe(PROJECT.modules['src/index.ts']);
		expect(record.size).toBe(stored.size);
		expect(record.size).toBeGreaterThan(new TextEncoder().encode(PROJECT.modules['src/index.ts']).length);
	});

	it('loads modules whose names hold spaces and non-ASCII letters', async () => {
		const { caller, platform } = setup();
		const modules = {
			'index.js': `import text from './static/two words.txt';\nimport { label } from './lib/étiquette.js';\nexport default { fetch: () => new Response(label + text) };`,
			'static/two words.txt': ' and text',
			'lib/étiquette.js': 'export const label = "label";'
		};
		await caller.workers.upload({ name: 'odd-names', mainModule: 'index.js', modules });
		expect(await (await dispatch(platform, '/user-workers/odd-names/')).text()).toBe('label and text');
	});

	it('refuses a missing import naming the file, the specifier and the line, and the old version keeps serving', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({ name: 'kept', ...PROJECT });
		const modules = { ...PROJECT.modules, 'src/lib/greet.ts': `export const greet = (n: string) => n + x;\nimport { x } from './missing';\n` };
		expect(await trpcError(() => caller.workers.upload({ name: 'kept', mainModule: PROJECT.mainModule, modules }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'src/lib/greet.ts: line 2: cannot import "./missing": no uploaded module is named "src/lib/missing"'
		});
		expect(await (await dispatch(platform, '/user-workers/kept/')).json()).toEqual(PROJECT_ANSWER);
	});

	it('reports a TypeScript syntax error at the line and column the customer wrote it', async () => {
		const { caller } = setup();
		const modules = { ...PROJECT.modules, 'src/lib/greet.ts': 'export type Greeting = string;\n\nexport function greet(name: string): Greeting {\n\treturn `hello ${name}` +;\n}\n' };
		expect(await trpcError(() => caller.workers.upload({ name: 'broken-ts', mainModule: PROJECT.mainModule, modules }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'src/lib/greet.ts: syntax error at line 4, column 26: Unexpected token'
		});
	});

	it('takes either code or modules, naming what is missing', async () => {
		const { caller } = setup();
		expect((await trpcError(() => caller.workers.upload({ name: 'neither' }))).message).toBe('code is required (or mainModule and modules)');
		expect((await trpcError(() => caller.workers.upload({ name: 'both', code: hello(), ...PROJECT }))).message).toBe(
			'send either code (one module) or mainModule and modules, not both'
		);
		expect((await trpcError(() => caller.workers.upload({ name: 'no-main', modules: PROJECT.modules }))).message).toMatch(/^mainModule is required/);
	});

	it('reads a version stored as one plain module (before modules) as worker.js', async () => {
		const { caller, platform } = setup();
		const record = await caller.workers.upload({ name: 'legacy', code: hello('new format') });
		// What a version written before modules holds under its key: the module's source, no metadata.
		await env.WORKER_MAPPINGS.put(codeKey(record.scriptId, record.version), hello('old format'));
		expect(await (await dispatch(platform, '/user-workers/legacy/')).text()).toMatch(/^old format GET \//);
		expect(await caller.workers.get({ name: 'legacy' })).toMatchObject({
			code: hello('old format'),
			mainModule: 'worker.js',
			modules: { 'worker.js': hello('old format') }
		});
	});
});
