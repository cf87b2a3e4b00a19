// Logs with user Workers run in the app's own process (WFP_ISOLATION=off, no runners): the app's own
// LogTail entrypoint (src/lib/server/logs/in-process-tail.ts, through ctx.exports) records their console
// lines, exceptions and request lines like the runners' does, and a live tail streams them.
import { describe, expect, it } from 'vitest';
import { createPlatformClient } from '$lib/trpc';
import type { LogEntry } from '$lib/server/logs/entries';
import { useApp } from './use-app';

const app = useApp({ WFP_ISOLATION: 'off' });

const WORKER = `export default {
	async fetch(request) {
		console.warn('in-process line', request.headers.get('x-request-id'));
		if (new URL(request.url).pathname === '/throw') throw new Error('thrown in-process');
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
});
