import { describe, expect, it } from 'vitest';
import { checkWorkerModule } from '$lib/server/module-check';
import { InputError } from '$lib/server/errors';

function problem(code: string): string | null {
	try {
		checkWorkerModule(code);
		return null;
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		expect((error as InputError).field).toBe('code');
		return (error as Error).message;
	}
}

describe('checkWorkerModule', () => {
	it.each([
		'export default { fetch() { return new Response("hi") } }',
		'export default { async fetch(request, env, ctx) { return new Response("hi") } }',
		'const handler = { fetch: () => new Response("x") }; export default handler;',
		'const fetch = () => new Response("x"); export default { fetch };',
		'class App { fetch() { return new Response("x") } } export default new App();',
		'import { WorkerEntrypoint } from "cloudflare:workers"; export default class extends WorkerEntrypoint { fetch() { return new Response("x") } }',
		'const handler = { fetch() { return new Response("x") } }; export { handler as default };',
		'const base = { fetch() { return new Response("x") } }; export default { ...base };'
	])('accepts %s', (code) => {
		expect(problem(code)).toBeNull();
	});

	it('names line and column of a syntax error', () => {
		expect(problem('export default {\n  fetch() {\n    return new Response("x"\n  }\n}')).toBe(
			'syntax error at line 4, column 3: Unexpected token'
		);
	});

	it('rejects Service Worker syntax with a pointer to modules', () => {
		expect(problem('addEventListener("fetch", (e) => e.respondWith(new Response("x")))')).toMatch(
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
	])('rejects %j', (code, message) => {
		expect(problem(code)).toContain(message);
	});
});
