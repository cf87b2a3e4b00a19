// The LogBuffer between the Tail Workers and the store, and runSampled, which runs each invocation with
// or without the Tail Worker: every request counts in its Worker's metrics, while invocations are recorded
// up to the Worker's log rate (whole, a notice for the rest, which run without the Tail Worker), one
// Worker's flood leaves another's entries alone, and the buffer forgets the allowance of a Worker gone quiet.
import { describe, expect, it, vi } from 'vitest';
import { LOG_RATE_WINDOW_S, LogBuffer, logRateSetting, runSampled } from '../../src/lib/server/logs/buffer';
import type { NewLogEntry } from '../../src/lib/server/logs/entries';
import { LATENCY_BUCKETS_MS } from '../../src/lib/server/logs/metrics';

const MINUTE = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
const OPTIONS = { flushLater: () => {}, timeoutMs: 10_000 };

/** One invocation's entries: a console line and its request line. */
function invocation(id: number, time: number, status = 200): NewLogEntry[] {
	const requestId = `r${id}`;
	return [
		{ time, requestId, kind: 'log', level: 'info', message: `line ${id}` },
		{
			time,
			requestId,
			kind: 'request',
			level: status >= 500 ? 'error' : 'info',
			message: `GET / ${status}`,
			request: { method: 'GET', path: '/', status, outcome: 'ok', wallMs: 3, cpuMs: 1 }
		}
	];
}

function bufferAt(perSecond: number) {
	const clock = { now: MINUTE + 1000 };
	const buffer = new LogBuffer(10_000, perSecond, () => clock.now);
	const runs = { withTails: 0, without: 0 };
	/** One request of the Worker `scriptId` through runSampled; with the Tail Worker, it delivers `entries` (as the runtime would, after the response). */
	async function request(scriptId: string, entries: NewLogEntry[], status = 200): Promise<void> {
		const response = await runSampled(buffer, scriptId, 'GET', async (withTails) => {
			runs[withTails ? 'withTails' : 'without']++;
			if (withTails) buffer.add(scriptId, entries);
			return new Response(null, { status });
		}, OPTIONS);
		expect(response.status).toBe(status);
	}
	return { clock, buffer, runs, request };
}

describe('LogBuffer', () => {
	it("records whole invocations up to the Worker's rate and counts every request in its metrics", async () => {
		const { clock, buffer, runs, request } = bufferAt(10);
		const burst = 10 * LOG_RATE_WINDOW_S;
		// 300 invocations of 2 entries at once: the burst (100 entries) admits 50 of them, whole; the others run without the Tail Worker.
		for (let i = 0; i < 300; i++) {
			const status = i % 10 === 0 ? 503 : 200;
			await request('busy', invocation(i, clock.now, status), status);
		}
		expect(runs).toEqual({ withTails: 50, without: 250 });
		const batch = buffer.take();
		const entries = batch.entries.busy;
		expect(entries.filter((entry) => entry.kind === 'request')).toHaveLength(burst / 2);
		expect(entries.filter((entry) => entry.kind === 'log' && entry.message.startsWith('line'))).toHaveLength(burst / 2);
		expect(entries.at(-1)).toMatchObject({
			level: 'warn',
			message: 'the log lines of 250 requests were not recorded: the Worker logged more than 10 entries per second (LOGS_MAX_PER_SECOND); its metrics count every request'
		});
		// The recorded requests with their wall time (3 ms), the others with the time runSampled measured (under 1 ms here).
		const wall3 = LATENCY_BUCKETS_MS.findIndex((bound) => bound >= 3);
		const [sums] = batch.metrics.busy;
		expect(sums).toMatchObject({ minute: MINUTE, requests: 300, errors: 30, cpuMs: 50 });
		expect(sums.wallBuckets[wall3]).toBe(50);
		expect(sums.wallBuckets.reduce((total, count) => total + count, 0)).toBe(300);

		// The allowance refills at the rate: a second later, 10 entries' worth (5 invocations).
		clock.now += 1000;
		for (let i = 0; i < 20; i++) await request('busy', invocation(1000 + i, clock.now));
		expect(buffer.take().entries.busy.filter((entry) => entry.kind === 'request')).toHaveLength(5);
	});

	it("leaves other Workers' entries alone while one floods", async () => {
		const { clock, buffer, request } = bufferAt(10);
		for (let i = 0; i < 500; i++) await request('flood', invocation(i, clock.now));
		for (let i = 0; i < 3; i++) await request('quiet', invocation(i, clock.now));
		const batch = buffer.take();
		expect(batch.entries.quiet.map((entry) => entry.requestId)).toEqual(['r0', 'r0', 'r1', 'r1', 'r2', 'r2']);
		expect(batch.metrics.quiet[0].requests).toBe(3);
		expect(batch.metrics.flood[0].requests).toBe(500);
	});

	it('keeps an invocation bigger than the allowance whole, then samples until the rate has paid it back', async () => {
		const { clock, buffer, runs, request } = bufferAt(1);
		const big = Array.from({ length: 30 }, (_, i) => ({ ...invocation(0, clock.now)[0], message: `big ${i}` }));
		await request('w', big);
		await request('w', invocation(1, clock.now));
		expect(runs).toEqual({ withTails: 1, without: 1 });
		expect(buffer.take().entries.w.filter((entry) => entry.message.startsWith('big'))).toHaveLength(30);
		clock.now += 15_000; // 15 entries' worth: still 5 short of the 20 overdrawn
		await request('w', invocation(2, clock.now));
		expect(buffer.take().entries.w.map((entry) => entry.message)).toEqual([expect.stringMatching(/^the log lines of 1 request were not recorded/)]);
		clock.now += 6_000;
		await request('w', invocation(3, clock.now));
		expect(buffer.take().entries.w.map((entry) => entry.requestId)).toEqual(['r3', 'r3']);
	});

	it('counts a request that throws without the Tail Worker as an exception, and runs every request without one when logs are off', async () => {
		const { buffer } = bufferAt(1);
		buffer.add('w', Array.from({ length: 20 }, (_, i) => ({ ...invocation(0, MINUTE)[0], message: `spent ${i}` })));
		buffer.take();
		const failing = runSampled(buffer, 'w', 'POST', async () => Promise.reject(new Error('boom')), OPTIONS);
		await expect(failing).rejects.toThrow('boom');
		expect(buffer.take().metrics.w).toEqual([expect.objectContaining({ requests: 1, errors: 1 })]);

		const tails: boolean[] = [];
		await runSampled(null, 'w', 'GET', async (withTails) => (tails.push(withTails), new Response('ok')), OPTIONS);
		expect(tails).toEqual([false]);
	});

	it("leaves a request that took DISPATCH_TIMEOUT_MS uncounted (the platform's timeout line counts it), and asks for a flush again after one could not be scheduled", async () => {
		const { clock, buffer } = bufferAt(1);
		// 40 entries overdraw the allowance of 10 by 29 (after the 10 s below, still by 19).
		buffer.add('w', Array.from({ length: 40 }, (_, i) => ({ ...invocation(0, MINUTE)[0], message: `spent ${i}` })));
		buffer.take();
		await runSampled(buffer, 'w', 'GET', async () => ((clock.now += 10_000), new Response('late')), OPTIONS);
		expect(buffer.take().metrics).toEqual({});

		const asked: number[] = [];
		const failing = { timeoutMs: 10_000, flushLater: () => (asked.push(clock.now), Promise.reject(new Error('no exports yet'))) };
		const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
		await runSampled(buffer, 'w', 'GET', async () => new Response('a'), failing);
		await runSampled(buffer, 'w', 'GET', async () => new Response('b'), failing);
		expect(asked).toHaveLength(2);
		expect(errors).toHaveBeenCalledTimes(2);
		errors.mockRestore();
		expect(buffer.take().metrics.w[0].requests).toBe(2);
	});

	it('admits requests that arrive together only up to the allowance, before their Tail Worker calls arrive', async () => {
		const { buffer } = bufferAt(1); // 10 entries
		const admitted = Array.from({ length: 30 }, () => buffer.admits('burst')).filter(Boolean);
		expect(admitted).toHaveLength(10);
	});

	it('forgets the allowance of a Worker back to a full one, and sends nothing for it', async () => {
		const { clock, buffer, request } = bufferAt(10);
		await request('once', invocation(0, clock.now));
		buffer.take();
		expect(buffer.trackedWorkers).toBe(1);
		clock.now += LOG_RATE_WINDOW_S * 1000;
		const batch = buffer.take();
		expect(batch).toEqual({ entries: {}, metrics: {} });
		expect(buffer.trackedWorkers).toBe(0);
		// With its allowance forgotten, the next invocation starts from a full one.
		await request('once', invocation(1, clock.now));
		expect(buffer.take().entries.once).toHaveLength(2);
	});

	it('reads LOGS_MAX_PER_SECOND as a positive integer, else the default', () => {
		expect(logRateSetting('250')).toBe(250);
		for (const value of ['', '0', '-5', '1.5', 'lots', undefined]) expect(logRateSetting(value)).toBe(100);
	});
});
