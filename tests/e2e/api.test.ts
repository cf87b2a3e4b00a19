// The platform over HTTP, as a user runs it: `npm start`, the typed tRPC client, plain fetch.
import { describe, expect, it } from 'vitest';
import { get } from 'node:http';
import { TRPCClientError } from '@trpc/client';
import { useApp } from './use-app';
import { PROJECT, PROJECT_ANSWER } from '../support/module-fixtures';

/** Response bodies are whatever the Worker under test returned. */
const json = (response: Response): Promise<any> => response.json();

const app = useApp();

const echo = (tag: string) => `export default {
	async fetch(request) {
		const url = new URL(request.url);
		return Response.json({
			tag: ${JSON.stringify(tag)},
			method: request.method,
			path: url.pathname + url.search,
			prefix: request.headers.get('x-forwarded-prefix'),
			custom: request.headers.get('x-custom'),
			internal: [...request.headers.keys()].filter((k) => k.startsWith('x-wfp-')),
			body: await request.text()
		}, { headers: { 'x-from-worker': ${JSON.stringify(tag)} } });
	}
}`;

async function badRequest(promise: Promise<unknown>): Promise<string> {
	const error = await promise.then(
		() => {
			throw new Error('expected the call to fail');
		},
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(TRPCClientError);
	const { data, message } = error as TRPCClientError<any>;
	expect(data?.code).toBe('BAD_REQUEST');
	expect(data?.httpStatus).toBe(400);
	return message;
}

describe('the platform over HTTP (npm start)', () => {
	it('uploads a Worker and serves it with the prefix removed, headers and body kept', async () => {
		const record = await app.client.workers.upload.mutate({ name: 'echo', code: echo('v1') });
		expect(record.url).toBe(`${app.url}/user-workers/echo/`);

		const response = await fetch(`${app.url}/user-workers/echo/any/path?q=1`, {
			method: 'PUT',
			headers: { 'x-custom': 'yes', 'x-wfp-script': 'spoofed' },
			body: 'hello body'
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('x-from-worker')).toBe('v1');
		expect(await json(response)).toEqual({
			tag: 'v1',
			method: 'PUT',
			path: '/any/path?q=1',
			prefix: '/user-workers/echo',
			custom: 'yes',
			internal: [],
			body: 'hello body'
		});
		const root = await json(await fetch(`${app.url}/user-workers/echo`));
		expect(root.path).toBe('/');
	});

	it('runs a TypeScript Worker of several modules (a runner loads them all) and gets back what was written', async () => {
		await app.client.workers.upload.mutate({ name: 'project', ...PROJECT });
		const response = await fetch(`${app.url}/user-workers/project/`);
		expect(response.status).toBe(200);
		expect(await json(response)).toEqual(PROJECT_ANSWER);
		expect(await app.client.workers.get.query({ name: 'project' })).toMatchObject({ mainModule: PROJECT.mainModule, modules: PROJECT.modules });

		const modules = { ...PROJECT.modules, 'src/lib/greet.ts': `import { shout } from './shout';\nexport const greet = (name: string) => shout(name);\n` };
		expect(await badRequest(app.client.workers.upload.mutate({ name: 'project', mainModule: PROJECT.mainModule, modules }))).toBe(
			'src/lib/greet.ts: line 1: cannot import "./shout": no uploaded module is named "src/lib/shout"'
		);
	});

	it('streams a large request body through to the Worker', async () => {
		await app.client.workers.upload.mutate({
			name: 'counter',
			code: `export default { async fetch(request) {
				let bytes = 0; const reader = request.body.getReader();
				for (;;) { const { done, value } = await reader.read(); if (done) break; bytes += value.length; }
				return new Response(String(bytes));
			} }`
		});
		const size = 5 * 1024 * 1024;
		const response = await fetch(`${app.url}/user-workers/counter/`, { method: 'POST', body: new Uint8Array(size) });
		expect(await response.text()).toBe(String(size));
	});

	it('compresses only for clients that ask for it', async () => {
		await app.client.workers.upload.mutate({
			name: 'big-text',
			code: 'export default { fetch() { return new Response("platform ".repeat(2000), { headers: { "content-type": "text/plain" } }) } }'
		});
		const plain = await fetch(`${app.url}/user-workers/big-text/`, { headers: { 'accept-encoding': 'identity' } });
		expect(plain.headers.get('content-encoding')).toBeNull();
		expect(await plain.text()).toBe('platform '.repeat(2000));
		const gzipped = await fetch(`${app.url}/user-workers/big-text/`, { headers: { 'accept-encoding': 'gzip' } });
		expect(gzipped.headers.get('content-encoding')).toBe('gzip');
		expect(await gzipped.text()).toBe('platform '.repeat(2000));
		// Like plain curl: no Accept-Encoding at all (fetch always sends one).
		const bare = await new Promise<{ encoding?: string; body: string }>((resolve, reject) =>
			get(`${app.url}/user-workers/big-text/`, (response) => {
				let body = '';
				response.setEncoding('utf8').on('data', (chunk) => (body += chunk));
				response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body }));
			}).on('error', reject)
		);
		expect(bare).toEqual({ encoding: undefined, body: 'platform '.repeat(2000) });
	});

	it('serves a re-upload on the very next request', async () => {
		await app.client.workers.upload.mutate({ name: 'echo', code: echo('v2') });
		expect((await json(await fetch(`${app.url}/user-workers/echo/`))).tag).toBe('v2');
		await app.client.workers.upload.mutate({ name: 'echo', code: echo('v3') });
		expect((await json(await fetch(`${app.url}/user-workers/echo/`))).tag).toBe('v3');
	});

	it('lists with a cursor in name order, gets with source, deletes', async () => {
		for (const name of ['list-c', 'list-a', 'list-b']) await app.client.workers.upload.mutate({ name, code: echo(name) });
		const names: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const page: Awaited<ReturnType<typeof app.client.workers.list.query>> = await app.client.workers.list.query({ limit: 2, cursor });
			names.push(...page.workers.map((w) => w.name));
			cursor = page.cursor;
			pages++;
		} while (cursor);
		expect(pages).toBeGreaterThan(1);
		expect(names).toEqual([...names].sort());
		expect(names).toEqual(expect.arrayContaining(['echo', 'list-a', 'list-b', 'list-c']));
		expect((await app.client.workers.list.query()).workers.length).toBe(names.length);

		const got = await app.client.workers.get.query({ name: 'list-a' });
		expect(got.code).toBe(echo('list-a'));
		expect(got).toMatchObject({ name: 'list-a', size: echo('list-a').length });

		expect(await app.client.workers.delete.mutate({ name: 'list-a' })).toEqual({ name: 'list-a', deleted: true });
		const gone = await fetch(`${app.url}/user-workers/list-a/`);
		expect(gone.status).toBe(404);
		expect(await gone.text()).toContain('No Worker is named &quot;list-a&quot;');
		const error = await app.client.workers.get.query({ name: 'list-a' }).catch((e) => e);
		expect(error.data.code).toBe('NOT_FOUND');
		expect((await app.client.workers.delete.mutate({ name: 'list-a' }).catch((e) => e)).data.code).toBe('NOT_FOUND');
	});

	it('rejects bad input with a message a person can act on, and the old Worker keeps serving', async () => {
		await app.client.workers.upload.mutate({ name: 'stable', code: echo('stable') });
		const bad = (input: Partial<{ name: string; code: string; compatibilityDate: string }>) =>
			badRequest(app.client.workers.upload.mutate({ name: 'stable', code: echo('new'), ...input }));

		expect(await bad({ name: 'Stable' })).toBe('name must be lowercase');
		expect(await bad({ name: 'my_worker' })).toContain('may only contain a-z, 0-9 and "-"');
		expect(await bad({ name: '-x' })).toContain('must not start or end with "-"');
		expect(await bad({ name: 'x'.repeat(64) })).toContain('the limit is 63');
		expect(await bad({ name: 'admin' })).toContain('reserved');
		expect(await bad({ code: 'export default {\n  fetch() {\n' })).toMatch(/^syntax error at line 3, column 1: /);
		expect(await bad({ code: 'addEventListener("fetch", (e) => {})' })).toContain('Service Worker syntax');
		expect(await bad({ code: 'export default {}' })).toContain('no fetch handler');
		expect(await bad({ code: '   ' })).toBe('code is empty');
		expect(await bad({ code: `export default { fetch() {} } // ${'x'.repeat(1024 * 1024)}` })).toContain(
			'the limit is 1 MiB (MAX_SCRIPT_BYTES)'
		);
		expect(await bad({ compatibilityDate: '2026-13-40' })).toContain('compatibilityDate must be a date');
		// Wrong types are named too.
		expect(await badRequest(app.client.workers.upload.mutate({ name: 42 as never, code: 'x' }))).toContain('name');

		expect((await json(await fetch(`${app.url}/user-workers/stable/`))).tag).toBe('stable');
	});

	it('answers unknown Workers with a 404 page and failing Workers with a 5xx page naming them', async () => {
		const unknown = await fetch(`${app.url}/user-workers/nobody-here/x`);
		expect(unknown.status).toBe(404);
		expect(unknown.headers.get('content-type')).toContain('text/html');

		await app.client.workers.upload.mutate({ name: 'thrower', code: 'export default { fetch() { throw new Error("kaboom") } }' });
		const failed = await fetch(`${app.url}/user-workers/thrower/`);
		expect(failed.status).toBe(502);
		const page = await failed.text();
		expect(page).toContain('thrower');
		expect(page).toContain('kaboom');
		expect((await fetch(`${app.url}/user-workers/echo/`)).status).toBe(200);
	});

	it('never leaks stack traces in API errors', async () => {
		const response = await fetch(`${app.url}/api/trpc/workers.get?input=${encodeURIComponent(JSON.stringify({ name: 'nope' }))}`);
		expect(response.status).toBe(404);
		const body = await json(response);
		expect(body.error.data.stack).toBeUndefined();
	});
});
