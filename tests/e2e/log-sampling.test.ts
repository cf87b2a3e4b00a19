// A Worker over its log rate (LOGS_MAX_PER_SECOND), through the runners as `npm start` runs them: its
// metrics still count every request it served, while its log keeps whole requests up to the rate and one
// notice saying how many were left out; a quiet Worker beside it keeps every line.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '$lib/server/logs/entries';
import { LOG_RATE_WINDOW_S } from '$lib/server/logs/buffer';
import { useApp } from './use-app';

const PER_SECOND = 2;
const REQUESTS = 120;
const app = useApp({ LOGS_MAX_PER_SECOND: String(PER_SECOND) });

const LOGGER = `export default { fetch(request) { console.log('served', new URL(request.url).pathname); return new Response('ok') } }`;

async function logsWhen(name: string, done: (entries: LogEntry[]) => boolean): Promise<LogEntry[]> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const { entries } = await app.client.workers.logs.query({ name, limit: 1000 });
		if (done(entries) || Date.now() > deadline) return entries;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('a Worker logging faster than LOGS_MAX_PER_SECOND', () => {
	it('counts every request in its metrics and records whole requests up to its rate, with a notice for the rest', async () => {
		await app.client.workers.upload.mutate({ name: 'busy', code: LOGGER });
		await app.client.workers.upload.mutate({ name: 'quiet', code: LOGGER });
		// Ten at a time, to loopback only.
		for (let sent = 0; sent < REQUESTS; sent += 10)
			await Promise.all(
				Array.from({ length: 10 }, async (_, i) => {
					const response = await fetch(`${app.url}/user-workers/busy/r${sent + i}`);
					expect(await response.text()).toBe('ok');
				})
			);
		for (let i = 0; i < 3; i++) expect(await (await fetch(`${app.url}/user-workers/quiet/q${i}`)).text()).toBe('ok');

		// A notice per batch that left requests out, saying how many.
		const leftOut = (entries: LogEntry[]) =>
			entries.reduce((sum, entry) => sum + Number(/^the log lines of (\d+) requests? were not recorded/.exec(entry.message)?.[1] ?? 0), 0);
		const busy = await logsWhen('busy', (entries) => leftOut(entries) + entries.filter((entry) => entry.kind === 'request').length >= REQUESTS);
		const notices = busy.filter((entry) => entry.message.includes('were not recorded'));
		expect(notices.length).toBeGreaterThan(0);
		for (const notice of notices) expect(notice).toMatchObject({ level: 'warn', kind: 'log', requestId: null });
		const left = leftOut(busy);
		const recorded = busy.filter((entry) => entry.kind === 'request');
		// Whole requests: each recorded request line has its console line, and the two account for every request.
		expect(busy.filter((entry) => entry.kind === 'log' && entry.message.startsWith('served')).map((entry) => entry.requestId).sort()).toEqual(
			recorded.map((entry) => entry.requestId).sort()
		);
		// At most the burst: requests admitted together each reserve one entry before their lines arrive.
		expect(recorded.length).toBeLessThanOrEqual(PER_SECOND * LOG_RATE_WINDOW_S + 2 * PER_SECOND);
		expect(recorded.length).toBeLessThan(REQUESTS / 2);
		expect(recorded.length + left).toBe(REQUESTS);

		const { minutes } = await app.client.workers.metrics.query({ name: 'busy' });
		expect(minutes.reduce((sum, minute) => sum + minute.requests, 0)).toBe(REQUESTS);

		const quiet = await logsWhen('quiet', (entries) => entries.filter((entry) => entry.kind === 'request').length === 3);
		expect(quiet.map((entry) => entry.message).filter((message) => message.startsWith('served'))).toEqual(['served /q2', 'served /q1', 'served /q0']);
	});
});
