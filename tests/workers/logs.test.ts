// The log store against the real test D1: entries in and out newest first, level filter and cursor,
// the per-Worker bound (count and age), per-minute metrics, and the Tail Worker's trace events as entries;
// the live tails' bounds and wake-ups; the recorder's timeout lines.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { entriesFromTrace, MAX_LINES_PER_REQUEST, type NewLogEntry } from '$lib/server/logs/entries';
import { LogStore, logSettings } from '$lib/server/logs/store';
import { LiveTailHub } from '$lib/server/logs/live';
import { LogRecorder } from '$lib/server/logs/recorder';
import { metricsOf } from '$lib/server/logs/metrics';

const settings = { enabled: true, maxEntries: 5, maxAgeMs: 60_000 };
const line = (time: number, message: string, level: NewLogEntry['level'] = 'info'): NewLogEntry => ({ time, requestId: 'r1', kind: 'log', level, message });
const requestLine = (time: number, status: number, wallMs: number, outcome = 'ok'): NewLogEntry => ({
	time,
	requestId: `req-${time}`,
	kind: 'request',
	level: status >= 500 ? 'error' : 'info',
	message: 'GET /',
	request: { method: 'GET', path: '/', status, outcome, wallMs, cpuMs: 1 }
});

describe('LogStore (real D1)', () => {
	it('returns entries newest first, filters by level and reads after a cursor', async () => {
		const store = new LogStore(env.DB, { ...settings, maxEntries: 100 });
		const now = Date.now();
		await store.record('s-order', [line(now, 'a', 'debug'), line(now + 1, 'b', 'warn'), line(now + 2, 'c', 'error')], now);
		const all = await store.read('s-order');
		expect(all.map((entry) => entry.message)).toEqual(['c', 'b', 'a']);
		expect((await store.read('s-order', { level: 'warn' })).map((entry) => entry.message)).toEqual(['c', 'b']);
		expect((await store.read('s-order', { since: all[1].id })).map((entry) => entry.message)).toEqual(['c']);
		expect(await store.read('s-other')).toEqual([]);
	});

	it('keeps at most maxEntries per Worker and nothing older than maxAgeMs', async () => {
		const store = new LogStore(env.DB, settings);
		const now = Date.now();
		for (let i = 0; i < 4; i++) await store.record('s-bound', [line(now, `x${i}a`), line(now, `x${i}b`), line(now, `x${i}c`)], now);
		expect((await store.read('s-bound')).map((entry) => entry.message)).toEqual(['x3c', 'x3b', 'x3a', 'x2c', 'x2b']);
		await store.record('s-bound', [line(now + 120_000, 'later')], now + 120_000);
		expect((await store.read('s-bound')).map((entry) => entry.message)).toEqual(['later']);
	});

	it("drops any Worker's expired entries and metrics on a write (a deleted Worker's too)", async () => {
		const store = new LogStore(env.DB, { ...settings, maxEntries: 100 });
		const now = Date.now();
		await store.record('s-deleted', [line(now, 'old'), requestLine(now, 200, 1)], now);
		await store.record('s-alive', [line(now + 120_000, 'new')], now + 120_000);
		expect(await store.read('s-deleted')).toEqual([]);
		await store.record('s-alive', [line(now + 25 * 3_600_000, 'newer')], now + 25 * 3_600_000);
		expect(await store.metrics('s-deleted', now - 60_000, now + 60_000)).toEqual([]);
	});

	it('records nothing when turned off (WFP_LOGS=off)', async () => {
		expect(logSettings({ WFP_LOGS: 'off' }).enabled).toBe(false);
		expect(logSettings({ LOGS_MAX_ENTRIES: '20', LOGS_MAX_AGE_HOURS: '2' })).toEqual({ enabled: true, maxEntries: 20, maxAgeMs: 7_200_000 });
		const store = new LogStore(env.DB, { ...settings, enabled: false });
		await store.record('s-off', [line(Date.now(), 'x')]);
		expect(await store.read('s-off')).toEqual([]);
	});

	it('counts requests and errors per minute with wall-time percentiles', async () => {
		const store = new LogStore(env.DB, { ...settings, maxEntries: 100 });
		const minute = Math.floor(Date.now() / 60_000) * 60_000;
		const lines = [requestLine(minute + 1, 200, 3), requestLine(minute + 2, 200, 3), requestLine(minute + 3, 503, 40), requestLine(minute + 4, 200, 0, 'exception')];
		await store.record('s-metrics', lines.slice(0, 2), minute);
		await store.record('s-metrics', lines.slice(2), minute);
		await store.record('s-metrics', [requestLine(minute + 60_001, 200, 700)], minute);
		expect(await store.metrics('s-metrics', minute, minute + 120_000)).toEqual([
			{ minute, requests: 4, errors: 2, cpuMs: 4, p50WallMs: 5, p99WallMs: 50 },
			{ minute: minute + 60_000, requests: 1, errors: 0, cpuMs: 1, p50WallMs: 1000, p99WallMs: 1000 }
		]);
	});
});

describe('entriesFromTrace', () => {
	it('turns console lines, exceptions and the outcome into entries with the request id', () => {
		const trace = {
			eventTimestamp: 1000,
			outcome: 'exception',
			wallTime: 12,
			cpuTime: 3,
			logs: [
				{ timestamp: 1001, level: 'warn', message: ['careful', { n: 1 }] },
				...Array.from({ length: MAX_LINES_PER_REQUEST + 5 }, (_, i) => ({ timestamp: 1002, level: 'log', message: [`n${i}`] }))
			],
			exceptions: [{ timestamp: 1003, name: 'Error', message: 'boom', stack: 'Error: boom\n    at worker.js:1:1' }],
			event: { request: { method: 'POST', url: 'http://x/a/b?token=t', headers: { 'x-request-id': 'rid' } } }
		} as unknown as TraceItem;
		const entries = entriesFromTrace([trace]);
		expect(entries[0]).toEqual({ time: 1001, requestId: 'rid', kind: 'log', level: 'warn', message: 'careful {"n":1}' });
		expect(entries.length).toBe(MAX_LINES_PER_REQUEST + 3);
		expect(entries.at(-3)!.message).toBe('6 more console lines of this request dropped (at most 200 are kept per request)');
		expect(entries.at(-2)).toMatchObject({ kind: 'exception', level: 'error', message: 'Error: boom\n    at worker.js:1:1' });
		expect(entries.at(-1)).toMatchObject({
			kind: 'request',
			level: 'error',
			request: { method: 'POST', path: '/a/b', status: null, outcome: 'exception', wallMs: 12, cpuMs: 3 }
		});
	});
});

describe('LiveTailHub', () => {
	it('bounds open tails per Worker, per caller and in all, and frees a place on close or when its lease ends', () => {
		const hub = new LiveTailHub({ perWorker: 2, perCaller: 3, total: 4 }, 60_000);
		hub.open('worker-a', 'customer:1', 0);
		const a2 = hub.open('worker-a', 'customer:2', 0);
		expect(() => hub.open('worker-a', 'customer:3', 0)).toThrow('this Worker has 2 live tails open');
		hub.open('worker-b', 'customer:1', 0);
		hub.open('worker-c', 'customer:1', 0);
		expect(() => hub.open('worker-d', 'customer:1', 0)).toThrow('the platform has 4 live tails open');
		a2.close();
		expect(() => hub.open('worker-d', 'customer:1', 0)).toThrow('you have 3 live tails open');
		expect(hub.open('worker-a', 'customer:4', 0)).toBeDefined();
		// A stream whose request was torn down without closing it holds its place until its lease ends.
		expect(() => hub.open('worker-e', 'customer:5', 59_999)).toThrow('the platform has 4 live tails open');
		expect(hub.open('worker-e', 'customer:5', 60_000)).toBeDefined();
		expect(hub.size).toBe(1);
	});

	it('wakes the waiting tails of the Workers whose entries were stored, and only those', async () => {
		const hub = new LiveTailHub();
		const [a, b] = [hub.open('worker-a', 'operator'), hub.open('worker-b', 'operator')];
		const woken: string[] = [];
		const waits = [a.wait(5_000).then(() => woken.push('a')), b.wait(300).then(() => woken.push('b'))];
		hub.entriesStored(['worker-a']);
		await Promise.all(waits);
		expect(woken).toEqual(['a', 'b']);
	});
});

describe('LogRecorder', () => {
	it("records a timed-out request's line at once and leaves out the runtime's later line for it, keeping its console lines", async () => {
		const store = new LogStore(env.DB, { ...settings, maxEntries: 100 });
		const recorder = new LogRecorder(store, new LiveTailHub());
		const now = Date.now();
		await recorder.recordTimeout('s-timeout', { requestId: 'slow-1', method: 'GET', path: '/slow', startedAt: now, waitedMs: 2003 });
		const lines: NewLogEntry[] = [
			{ time: now + 1, requestId: 'slow-1', kind: 'log', level: 'info', message: 'still running' },
			{ ...requestLine(now + 2, 200, 4000), requestId: 'slow-1' },
			{ ...requestLine(now + 3, 200, 3), requestId: 'fast-1' }
		];
		await recorder.record({ entries: { 's-timeout': lines }, metrics: { 's-timeout': metricsOf(lines) } });
		const entries = await store.read('s-timeout');
		expect(entries.map((entry) => [entry.requestId, entry.kind, entry.request?.outcome ?? null])).toEqual([
			['fast-1', 'request', 'ok'],
			['slow-1', 'log', null],
			['slow-1', 'request', 'timeout']
		]);
		expect(entries[2]).toMatchObject({ level: 'error', request: { status: 504, wallMs: 2003 } });
		const [minute] = await store.metrics('s-timeout', now - 60_000, now + 60_000);
		// The timeout and the fast request; the late line of the timed-out one is not counted again.
		expect(minute).toMatchObject({ requests: 2, errors: 1, p99WallMs: 5000 });
	});
});
