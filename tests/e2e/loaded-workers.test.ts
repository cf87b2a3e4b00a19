// The runners keep at most WFP_MAX_LOADED_WORKERS user Worker isolates loaded, unloading the least recently
// used idle ones (src/runner/worker.ts): an unloaded Worker loads again on its next request, and no request
// fails because of an unload. Each Worker here counts its requests in a module variable, which starts again
// at 1 when its isolate is loaded again.
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './use-app';

const MAX_LOADED = 3;
const app = useApp({ WFP_RUNNERS: '1', WFP_MAX_LOADED_WORKERS: String(MAX_LOADED) });
const WORKERS = 8;
const counter = (name: string) => `let requests = 0; export default { fetch: () => new Response(${JSON.stringify(name)} + ' ' + ++requests) }`;

beforeAll(async () => {
	for (let i = 0; i < WORKERS; i++) await app.client.workers.upload.mutate({ name: `counter-${i}`, code: counter(`counter-${i}`) });
});

async function call(name: string) {
	const response = await fetch(`${app.url}/user-workers/${name}/`);
	return `${response.status} ${await response.text()}`;
}

describe('bounded loaded Workers', () => {
	it('unloads the least recently used Worker beyond the limit, and loads it again on its next request', async () => {
		expect(await call('counter-0')).toBe('200 counter-0 1');
		expect(await call('counter-0')).toBe('200 counter-0 2');
		for (let i = 1; i <= MAX_LOADED; i++) expect(await call(`counter-${i}`)).toBe(`200 counter-${i} 1`);
		// Four Workers ran, the limit is three: counter-0, the least recently used, was unloaded.
		expect(await call('counter-0')).toBe('200 counter-0 1');
	});

	it('keeps the recently used Workers loaded, whatever order they were first loaded in', async () => {
		expect(await call('counter-5')).toBe('200 counter-5 1');
		for (const other of ['counter-6', 'counter-7', 'counter-4']) {
			expect(await call(other)).toMatch(new RegExp(`^200 ${other} \\d+$`));
			expect(await call('counter-5')).toMatch(/^200 counter-5 [2-9]$/);
		}
	});

	it('answers every request while many Workers load and unload at once', async () => {
		const rounds = await Promise.all(
			Array.from({ length: 5 }, async () => Promise.all(Array.from({ length: WORKERS }, (_, i) => call(`counter-${i}`))))
		);
		for (const round of rounds) round.forEach((answer, i) => expect(answer).toMatch(new RegExp(`^200 counter-${i} \\d+$`)));
	});

	it('lets a response that is still streaming finish after its Worker is unloaded', async () => {
		await app.client.workers.upload.mutate({
			name: 'ticker',
			code: `export default {
				fetch() {
					let timer, ticks = 0;
					return new Response(new ReadableStream({
						start(controller) {
							timer = setInterval(() => {
								controller.enqueue(new TextEncoder().encode('tick ' + ++ticks + '\\n'));
								if (ticks === 15) { clearInterval(timer); controller.close(); }
							}, 100);
						},
						cancel() { clearInterval(timer); }
					}), { headers: { 'content-type': 'text/event-stream' } });
				}
			}`
		});
		const response = await fetch(`${app.url}/user-workers/ticker/`);
		expect(response.status).toBe(200);
		// More Workers than the limit run meanwhile: the ticker is unloaded while it streams.
		for (let i = 0; i < WORKERS; i++) expect(await call(`counter-${i}`)).toMatch(/^200 /);
		const body = await response.text();
		expect(body.trim().split('\n').at(-1)).toBe('tick 15');
	});

	it('prints nothing about the unloads', () => {
		expect(app.output().trim().split('\n')).toEqual([expect.stringMatching(/^workers-platform is ready on /)]);
	});
});
