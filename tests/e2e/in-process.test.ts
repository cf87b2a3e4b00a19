// User Workers run in the app's own process (WFP_ISOLATION=off, no runners) get what the runners give
// theirs, through the app's own entrypoints (ctx.exports, src/lib/server/in-process-exports.ts): an ASSETS
// binding for a version with static assets; and logs: the app's LogTail entrypoint records their console
// lines, exceptions and request lines like the runners' does, and a live tail streams them; over its log
// rate (LOGS_MAX_PER_SECOND 1 here: a burst of 10 entries) a Worker runs without it and its requests still
// count in its metrics.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPlatformClient } from '$lib/trpc';
import type { LogEntry } from '$lib/server/logs/entries';
import { useApp } from './use-app';

const app = useApp({ WFP_ISOLATION: 'off', LOGS_MAX_PER_SECOND: '1' });

const WORKER = `export default {
	async fetch(request) {
		console.warn('in-process line', request.headers.get('x-request-id'));
		if (new URL(request.url).pathname === '/throw') throw new Error('thrown in-process');
		if (new URL(request.url).pathname === '/many') for (let i = 0; i < 40; i++) console.log('many', i);
		return new Response(request.headers.get('x-request-id'));
	}
}`;

describe('logs with WFP_ISOLATION=off', () => {
	it('records console lines, the exception and the request lines, and streams them to a live tail', async () => {
		const client = createPlatformClient(app.url);
		await client.workers.upload.mutate({ name: 'local', code: WORKER });
		const received: LogEntry[] = [];
		let started: () => void;
		const opened = new Promise<void>((resolve) => (started = resolve));
		const subscription = client.workers.tail.subscribe({ name: 'local' }, { onStarted: () => started(), onData: ({ data }) => received.push(data) });
		try {
			await opened;
			const id = await (await fetch(`${app.url}/user-workers/local/hello`)).text();
			expect((await fetch(`${app.url}/user-workers/local/throw`)).status).toBe(502);
			const deadline = Date.now() + 10_000;
			while (received.filter((entry) => entry.kind === 'request').length < 2 && Date.now() < deadline)
				await new Promise((resolve) => setTimeout(resolve, 50));
			expect(received.filter((entry) => entry.requestId === id).map((entry) => [entry.kind, entry.message])).toEqual([
				['log', `in-process line ${id}`],
				['request', expect.stringMatching(/^GET \/hello 200 ok/)]
			]);
			expect(received.some((entry) => entry.kind === 'exception' && entry.message.includes('thrown in-process'))).toBe(true);
			const { entries } = await client.workers.logs.query({ name: 'local' });
			expect(entries.filter((entry) => entry.kind === 'request').map((entry) => entry.request!.outcome)).toEqual(['exception', 'ok']);
		} finally {
			subscription.unsubscribe();
		}
	});

	it('runs a Worker over its log rate without the Tail Worker, counting every request in its metrics', async () => {
		const client = createPlatformClient(app.url);
		await client.workers.upload.mutate({ name: 'busy-local', code: WORKER });
		// 42 entries overdraw the allowance of 10 by 32 (32 s at 1 per second); once they are recorded, every
		// request runs without the Tail Worker, and only those requests' counting sends their metrics.
		expect((await fetch(`${app.url}/user-workers/busy-local/many`)).status).toBe(200);
		const metricsCount = async () => (await client.workers.metrics.query({ name: 'busy-local' })).minutes.reduce((sum, minute) => sum + minute.requests, 0);
		const countWhen = async (wanted: number) => {
			const deadline = Date.now() + 10_000;
			let count = await metricsCount();
			while (count < wanted && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 100));
				count = await metricsCount();
			}
			return count;
		};
		expect(await countWhen(1)).toBe(1);
		for (let i = 0; i < 30; i++) expect((await fetch(`${app.url}/user-workers/busy-local/r${i}`)).status).toBe(200);
		expect(await countWhen(31)).toBe(31);
		const { entries } = await client.workers.logs.query({ name: 'busy-local' });
		expect(entries.filter((entry) => entry.kind === 'request').map((entry) => entry.request!.path)).toEqual(['/many']);
		// One notice per batch the requests fell in, together saying 30.
		const leftOut = entries.reduce((sum, entry) => sum + Number(/^the log lines of (\d+) requests? were not recorded/.exec(entry.message)?.[1] ?? 0), 0);
		expect(leftOut).toBe(30);
	});
});

describe('static assets with WFP_ISOLATION=off', () => {
	it('serves the files and gives the Worker its ASSETS binding, as the runners do', async () => {
		const client = createPlatformClient(app.url);
		const files = { '/style.css': 'body { color: plum }', '/index.html': '<h1>in-process</h1>' };
		const manifest = Object.fromEntries(
			Object.entries(files).map(([path, text]) => [path, { hash: createHash('sha256').update(text).digest('hex'), size: Buffer.byteLength(text) }])
		);
		const { session, missing } = await client.assets.start.mutate({ name: 'local-site', manifest });
		expect(missing).toHaveLength(2);
		await client.assets.upload.mutate({
			session,
			files: Object.entries(files).map(([path, text]) => ({ hash: manifest[path].hash, base64: Buffer.from(text).toString('base64') }))
		});
		const worker = `export default { async fetch(request, env) {
			const url = new URL(request.url);
			if (url.pathname === '/through-binding') return env.ASSETS.fetch(new URL('/style.css', url));
			if (url.pathname === '/missing-through-binding') return env.ASSETS.fetch(new URL('/nothing.css', url));
			return new Response('worker ' + url.pathname);
		} }`;
		await client.workers.upload.mutate({ name: 'local-site', code: worker, assets: { session } });
		const base = `${app.url}/user-workers/local-site`;
		expect(await (await fetch(`${base}/`)).text()).toBe('<h1>in-process</h1>');
		const binding = await fetch(`${base}/through-binding`);
		expect(binding.status).toBe(200);
		expect(binding.headers.get('content-type')).toBe('text/css; charset=utf-8');
		expect(await binding.text()).toBe('body { color: plum }');
		expect((await fetch(`${base}/missing-through-binding`)).status).toBe(404);
		expect(await (await fetch(`${base}/other`)).text()).toBe('worker /other');
	});
});
