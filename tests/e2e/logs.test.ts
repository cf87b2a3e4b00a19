// A Worker's logs and metrics end to end, with the app started as `npm start` starts it (runner processes,
// Worker Loader with the runner's LogTail Tail Worker): console lines at every level, an uncaught
// exception, a request over the platform's time limit (DISPATCH_TIMEOUT_MS, outcome `timeout`) and the
// request lines show up in workers.logs and in a live tail (workers.tail, server-sent events) opened
// before the requests, with the request's id; the owner and the operator may read and tail them, another
// customer and anonymous callers may not; the bound holds under a flood.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from './browser';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import type { LogEntry } from '$lib/server/logs/entries';
import { useApp } from './use-app';
import { runWfp, WFP_BIN } from './wfp';

const ADMIN_TOKEN = 'logs-e2e-admin-token';
const MAX_ENTRIES = 50;
/** The platform's wait for a Worker's answer; /slow answers later than that (a 504, outcome `timeout`). */
const DISPATCH_TIMEOUT_MS = 2000;
const app = useApp({ PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN, LOGS_MAX_ENTRIES: String(MAX_ENTRIES), DISPATCH_TIMEOUT_MS: String(DISPATCH_TIMEOUT_MS) });

const CHATTY = `export default {
	async fetch(request) {
		const url = new URL(request.url);
		const id = request.headers.get('x-request-id');
		console.debug('debug line', id);
		console.log('log line', { path: url.pathname });
		console.info('info line');
		console.warn('warn line');
		console.error('error line');
		if (url.pathname === '/throw') throw new Error('boom from the Worker');
		if (url.pathname === '/flood') for (let i = 0; i < 500; i++) console.log('flood', i);
		if (url.pathname === '/slow') await new Promise((resolve) => setTimeout(resolve, ${DISPATCH_TIMEOUT_MS} + 1500));
		return new Response(id);
	}
}`;

const code = (error: unknown) => (error as { data?: { code?: string } }).data?.code;
async function refusalCode(call: Promise<unknown>) {
	return call.then(
		() => 'allowed',
		(error) => code(error)
	);
}

let admin: PlatformClient;
let owner: PlatformClient;
let other: PlatformClient;

/** The Worker's entries once `done` holds for them (the Tail Worker sends them after each response). */
async function entriesWhen(client: PlatformClient, name: string, done: (entries: LogEntry[]) => boolean): Promise<LogEntry[]> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const { entries } = await client.workers.logs.query({ name, limit: 1000 });
		if (done(entries) || Date.now() > deadline) return entries;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** A live tail (workers.tail over server-sent events) of `name`, collecting what it receives. */
function openTail(client: PlatformClient, name: string, input: { level?: LogEntry['level']; lastEventId?: string } = {}) {
	const received: LogEntry[] = [];
	let resolveStarted: () => void;
	let refused: (code: string) => void;
	const started = new Promise<void>((resolve) => (resolveStarted = resolve));
	const refusal = new Promise<string>((resolve) => (refused = resolve));
	const subscription = client.workers.tail.subscribe(
		{ name, ...input },
		{
			onStarted: () => resolveStarted(),
			onData: ({ data }) => received.push(data),
			onError: (error) => refused(code(error) ?? String(error))
		}
	);
	return {
		received,
		/**
		 * 'allowed' once the stream is open (the server has taken its starting point) and no refusal followed
		 * it (a refusal is the stream's first event, right after it opens), or the refusal's code.
		 */
		opened: Promise.race([started.then(() => Promise.race([refusal, new Promise<string>((resolve) => setTimeout(() => resolve('allowed'), 1000))])), refusal]),
		/** The entries received once `done` holds for them, or when 10 s have passed. */
		async until(done: (entries: LogEntry[]) => boolean): Promise<LogEntry[]> {
			const deadline = Date.now() + 10_000;
			while (!done(received) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
			return received;
		},
		close: () => subscription.unsubscribe()
	};
}

beforeAll(async () => {
	admin = createPlatformClient(app.url, { token: ADMIN_TOKEN });
	const [customerA, customerB] = await Promise.all([
		admin.customers.create.mutate({ name: 'Owner' }),
		admin.customers.create.mutate({ name: 'Other' })
	]);
	const [tokenA, tokenB] = await Promise.all([
		admin.tokens.create.mutate({ customerId: customerA.id, label: 'logs' }),
		admin.tokens.create.mutate({ customerId: customerB.id, label: 'logs' })
	]);
	owner = createPlatformClient(app.url, { token: tokenA.token });
	other = createPlatformClient(app.url, { token: tokenB.token });
	await owner.workers.upload.mutate({ name: 'chatty', code: CHATTY });
});

describe('workers.logs', () => {
	it("records every console level, the uncaught exception and each request's line under its request id", async () => {
		const ok = await fetch(`${app.url}/user-workers/chatty/hello?token=secret-query`, { headers: { 'x-request-id': 'forged' } });
		const okId = await ok.text();
		expect(okId).toMatch(/^[0-9a-f-]{36}$/);
		const failed = await fetch(`${app.url}/user-workers/chatty/throw`);
		expect(failed.status).toBe(502);

		const entries = await entriesWhen(owner, 'chatty', (list) => list.filter((e) => e.kind === 'request').length >= 2);
		const ofOk = entries.filter((entry) => entry.requestId === okId).reverse();
		expect(ofOk.map((entry) => [entry.kind, entry.level, entry.message])).toEqual([
			['log', 'debug', `debug line ${okId}`],
			['log', 'info', 'log line {"path":"/hello"}'],
			['log', 'info', 'info line'],
			['log', 'warn', 'warn line'],
			['log', 'error', 'error line'],
			['request', 'info', 'GET /hello 200 ok ' + ofOk[5].request!.wallMs + ' ms']
		]);
		expect(ofOk[5].request).toMatchObject({ method: 'GET', path: '/hello', status: 200, outcome: 'ok' });
		// The query string (which may carry credentials) is not recorded.
		expect(JSON.stringify(entries)).not.toContain('secret-query');

		const thrownId = entries.find((entry) => entry.kind === 'exception')!.requestId;
		expect(thrownId).not.toBe(okId);
		const ofThrown = entries.filter((entry) => entry.requestId === thrownId);
		const exception = ofThrown.find((entry) => entry.kind === 'exception')!;
		expect(exception.level).toBe('error');
		expect(exception.message).toContain('boom from the Worker');
		expect(exception.message).toMatch(/at .*worker\.js/);
		expect(ofThrown.find((entry) => entry.kind === 'request')).toMatchObject({
			level: 'error',
			request: { method: 'GET', path: '/throw', outcome: 'exception' }
		});
		// Newest first, ids growing with time.
		expect(entries.map((entry) => entry.id)).toEqual([...entries.map((entry) => entry.id)].sort((x, y) => y - x));
	});

	it('filters by level and returns only newer entries after a cursor', async () => {
		const { entries: errors } = await owner.workers.logs.query({ name: 'chatty', level: 'error' });
		expect(errors.length).toBeGreaterThan(0);
		expect(errors.every((entry) => entry.level === 'error')).toBe(true);

		const { cursor } = await owner.workers.logs.query({ name: 'chatty' });
		const id = await (await fetch(`${app.url}/user-workers/chatty/again`)).text();
		const newer = await entriesWhen(owner, 'chatty', () => true).then(async () => {
			const deadline = Date.now() + 10_000;
			for (;;) {
				const page = await owner.workers.logs.query({ name: 'chatty', since: cursor });
				if (page.entries.some((entry) => entry.kind === 'request') || Date.now() > deadline) return page.entries;
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		});
		expect(newer.length).toBe(6);
		expect(newer.every((entry) => entry.requestId === id && entry.id > cursor)).toBe(true);
	});

	it('lets the owner and the operator read them, and nobody else', async () => {
		await (await fetch(`${app.url}/user-workers/chatty/private`)).arrayBuffer();
		await entriesWhen(owner, 'chatty', (list) => list.some((entry) => entry.message.startsWith('GET /private')));
		expect((await admin.workers.logs.query({ name: 'chatty' })).entries.length).toBeGreaterThan(0);
		expect(await refusalCode(other.workers.logs.query({ name: 'chatty' }))).toBe('NOT_FOUND');
		expect(await refusalCode(other.workers.metrics.query({ name: 'chatty' }))).toBe('NOT_FOUND');
		const anonymous = createPlatformClient(app.url);
		expect(await refusalCode(anonymous.workers.logs.query({ name: 'chatty' }))).toBe('UNAUTHORIZED');
		expect(await refusalCode(owner.workers.logs.query({ name: 'chatty', level: 'loud' as never }))).toBe('BAD_REQUEST');
		expect(await refusalCode(owner.workers.logs.query({ name: 'chatty', limit: 5000 }))).toBe('BAD_REQUEST');
	});

	it(`keeps at most LOGS_MAX_ENTRIES (${MAX_ENTRIES}) entries under a logging flood`, async () => {
		for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/user-workers/chatty/flood`)).status).toBe(200);
		// Each flood request leaves 202 entries (200 lines, the "dropped" line, the request line): the newest 50 stay.
		const entries = await entriesWhen(owner, 'chatty', (list) => list.length === MAX_ENTRIES && list[0].message.startsWith('GET /flood'));
		expect(entries.length).toBe(MAX_ENTRIES);
		expect(entries[0].message).toMatch(/^GET \/flood 200 ok/);
		expect(new Set(entries.map((entry) => entry.requestId)).size).toBe(1);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect((await owner.workers.logs.query({ name: 'chatty', limit: 1000 })).entries.length).toBe(MAX_ENTRIES);
		// A request keeps its first lines and says how many more it dropped.
		expect(entries.some((entry) => entry.message.includes('more console lines of this request dropped'))).toBe(true);
	});
});

describe('workers.tail (a live tail over server-sent events)', () => {
	it('streams every level, the exception and the timed-out request of requests sent after it opened, with their ids', async () => {
		await owner.workers.upload.mutate({ name: 'streamed', code: CHATTY });
		await (await fetch(`${app.url}/user-workers/streamed/before`)).arrayBuffer();
		await entriesWhen(owner, 'streamed', (list) => list.some((entry) => entry.message.startsWith('GET /before')));
		const tail = openTail(owner, 'streamed');
		try {
			expect(await tail.opened).toBe('allowed');
			const okId = await (await fetch(`${app.url}/user-workers/streamed/hello`)).text();
			const failed = await fetch(`${app.url}/user-workers/streamed/throw`);
			expect(failed.status).toBe(502);
			const slow = await fetch(`${app.url}/user-workers/streamed/slow`);
			expect(slow.status).toBe(504);
			const received = await tail.until((list) => list.filter((entry) => entry.kind === 'request').length >= 3 && list.some((entry) => entry.message.includes('/slow')));

			// Nothing from before the tail opened; entries oldest first, each once.
			expect(received.some((entry) => entry.message.includes('/before'))).toBe(false);
			expect(received.map((entry) => entry.id)).toEqual([...new Set(received.map((entry) => entry.id))].sort((x, y) => x - y));
			expect(received.filter((entry) => entry.requestId === okId).map((entry) => [entry.kind, entry.level, entry.message])).toEqual([
				['log', 'debug', `debug line ${okId}`],
				['log', 'info', 'log line {"path":"/hello"}'],
				['log', 'info', 'info line'],
				['log', 'warn', 'warn line'],
				['log', 'error', 'error line'],
				['request', 'info', expect.stringMatching(/^GET \/hello 200 ok/)]
			]);
			const exception = received.find((entry) => entry.kind === 'exception')!;
			expect(exception.message).toContain('boom from the Worker');
			expect(received.find((entry) => entry.kind === 'request' && entry.requestId === exception.requestId)).toMatchObject({
				level: 'error',
				request: { path: '/throw', status: null, outcome: 'exception' }
			});
			// The request the platform stopped waiting for: its line says so at once (the Worker is still running).
			const timedOut = received.find((entry) => entry.kind === 'request' && entry.request?.path === '/slow')!;
			expect(timedOut).toMatchObject({ level: 'error', request: { method: 'GET', status: 504, outcome: 'timeout' } });
			expect(timedOut.request!.wallMs).toBeGreaterThanOrEqual(DISPATCH_TIMEOUT_MS);
			expect(timedOut.requestId).toMatch(/^[0-9a-f-]{36}$/);
			expect(new Set([okId, exception.requestId, timedOut.requestId]).size).toBe(3);

			// When that Worker finishes, its console lines come under the same id, and no second request line.
			await tail.until((list) => list.filter((entry) => entry.requestId === timedOut.requestId).length >= 6);
			await new Promise((resolve) => setTimeout(resolve, 1000));
			const ofSlow = tail.received.filter((entry) => entry.requestId === timedOut.requestId);
			expect(ofSlow.filter((entry) => entry.kind === 'log').length).toBe(5);
			expect(ofSlow.filter((entry) => entry.kind === 'request')).toEqual([timedOut]);
			const { entries } = await owner.workers.logs.query({ name: 'streamed', level: 'error' });
			expect(entries.filter((entry) => entry.requestId === timedOut.requestId && entry.kind === 'request').map((entry) => entry.request!.outcome)).toEqual(['timeout']);
		} finally {
			tail.close();
		}
	});

	it('resumes after a given entry (lastEventId) and keeps only the level asked for', async () => {
		const { entries } = await owner.workers.logs.query({ name: 'streamed', limit: 1000 });
		const oldest = entries.at(-1)!;
		const resumed = openTail(owner, 'streamed', { lastEventId: String(oldest.id) });
		const errorsOnly = openTail(owner, 'streamed', { level: 'error', lastEventId: String(oldest.id) });
		try {
			const received = await resumed.until((list) => list.length >= entries.length - 1);
			expect(received.map((entry) => entry.id)).toEqual(entries.slice(0, -1).map((entry) => entry.id).reverse());
			const errors = await errorsOnly.until((list) => list.length >= entries.filter((entry) => entry.level === 'error' && entry.id > oldest.id).length);
			expect(errors.length).toBeGreaterThan(0);
			expect(errors.every((entry) => entry.level === 'error')).toBe(true);
		} finally {
			resumed.close();
			errorsOnly.close();
		}
	});

	it('lets the owner and the operator tail, and nobody else', async () => {
		const tails = {
			owner: openTail(owner, 'streamed'),
			operator: openTail(admin, 'streamed'),
			other: openTail(other, 'streamed'),
			anonymous: openTail(createPlatformClient(app.url), 'streamed'),
			badLevel: openTail(owner, 'streamed', { level: 'loud' as never })
		};
		try {
			expect(await tails.owner.opened).toBe('allowed');
			expect(await tails.operator.opened).toBe('allowed');
			expect(await tails.other.opened).toBe('NOT_FOUND');
			expect(await tails.anonymous.opened).toBe('UNAUTHORIZED');
			expect(await tails.badLevel.opened).toBe('BAD_REQUEST');
			const id = await (await fetch(`${app.url}/user-workers/streamed/seen-by-both`)).text();
			const seen = (list: LogEntry[]) => list.some((entry) => entry.requestId === id && entry.kind === 'request');
			expect(seen(await tails.owner.until(seen))).toBe(true);
			expect(seen(await tails.operator.until(seen))).toBe(true);
			expect(tails.other.received).toEqual([]);
			expect(tails.anonymous.received).toEqual([]);
		} finally {
			for (const tail of Object.values(tails)) tail.close();
		}
	});

	it('holds at most 10 open tails per Worker', async () => {
		await owner.workers.upload.mutate({ name: 'bounded', code: CHATTY });
		const tails = Array.from({ length: 10 }, () => openTail(admin, 'bounded'));
		try {
			expect(await Promise.all(tails.map((tail) => tail.opened))).toEqual(Array(10).fill('allowed'));
			const eleventh = openTail(owner, 'bounded');
			tails.push(eleventh);
			expect(await eleventh.opened).toBe('FORBIDDEN');
			tails.shift()!.close();
			// The server lets go of a closed stream once it notices the client is gone (request.signal, or the
			// next ping, every 5 s, failing).
			const deadline = Date.now() + 20_000;
			let again = 'FORBIDDEN';
			while (again === 'FORBIDDEN' && Date.now() < deadline) {
				const next = openTail(owner, 'bounded');
				tails.push(next);
				again = await next.opened;
				if (again === 'FORBIDDEN') await new Promise((resolve) => setTimeout(resolve, 200));
			}
			expect(again).toBe('allowed');
		} finally {
			for (const tail of tails) tail.close();
		}
	});
});

describe('workers.metrics', () => {
	it('counts the requests and errors per minute, with wall-time percentiles', async () => {
		const before = await owner.workers.metrics.query({ name: 'metered' }).catch(() => null);
		expect(before).toBeNull();
		await owner.workers.upload.mutate({ name: 'metered', code: CHATTY });
		for (let i = 0; i < 4; i++) await (await fetch(`${app.url}/user-workers/metered/ok`)).arrayBuffer();
		await (await fetch(`${app.url}/user-workers/metered/throw`)).arrayBuffer();
		await entriesWhen(owner, 'metered', (list) => list.filter((e) => e.kind === 'request').length >= 5);
		const { minutes } = await owner.workers.metrics.query({ name: 'metered' });
		const total = minutes.reduce((sum, minute) => ({ requests: sum.requests + minute.requests, errors: sum.errors + minute.errors }), {
			requests: 0,
			errors: 0
		});
		expect(total).toEqual({ requests: 5, errors: 1 });
		expect(minutes.every((minute) => minute.p50WallMs !== null && minute.p99WallMs! >= minute.p50WallMs!)).toBe(true);
	});

	it("workers.requestRates gives the last hour's requests per minute of the Workers the caller may see", async () => {
		const rates = await owner.workers.requestRates.query({ names: ['metered', 'no-such-worker'] });
		expect(Object.keys(rates)).toEqual(['metered']);
		expect(rates.metered).toHaveLength(60);
		expect(rates.metered.reduce((sum, count) => sum + count, 0)).toBe(5);
		expect(await other.workers.requestRates.query({ names: ['metered'] })).toEqual({});
		expect(await refusalCode(owner.workers.requestRates.query({ names: Array.from({ length: 101 }, (_, i) => `w${i}`) }))).toBe('BAD_REQUEST');
	});
});

describe('wfp logs and wfp tail', () => {
	const env = () => ({ WFP_URL: app.url, WFP_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'wfp-logs-')) });

	it('wfp tail prints the entries of requests made after it started, as JSON lines, until stopped', async () => {
		await owner.workers.upload.mutate({ name: 'tailed', code: CHATTY });
		await (await fetch(`${app.url}/user-workers/tailed/before`)).arrayBuffer();
		await entriesWhen(owner, 'tailed', (list) => list.some((entry) => entry.message.startsWith('GET /before')));
		const child = spawn(process.execPath, [WFP_BIN, 'tail', 'tailed', '--json'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		try {
			// The stream is open (the server has taken its starting point) before the request is sent.
			const opened = Date.now() + 10_000;
			while (!stderr.includes('tailing tailed') && Date.now() < opened) await new Promise((resolve) => setTimeout(resolve, 50));
			expect(stderr).toContain('tailing tailed (Ctrl-C to stop)');
			const id = await (await fetch(`${app.url}/user-workers/tailed/after`)).text();
			const deadline = Date.now() + 10_000;
			while (!stdout.includes('GET /after') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
			const printed = stdout.trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
			expect(printed.map((entry) => entry.message)).toEqual([`debug line ${id}`, 'log line {"path":"/after"}', 'info line', 'warn line', 'error line', expect.stringMatching(/^GET \/after 200 ok/)]);
			expect(printed.every((entry) => entry.requestId === id)).toBe(true);
		} finally {
			child.kill('SIGINT');
		}
	});

	it('wfp logs prints the recent entries as lines, and refuses a bad level', async () => {
		const result = await runWfp(['logs', 'tailed', '--level', 'warn'], env());
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/WARN {7}[0-9a-f]{8} {2}warn line\n/);
		expect(result.stdout).not.toContain('info line');
		const bad = await runWfp(['logs', 'tailed', '--level', 'loud'], env());
		expect(bad.code).not.toBe(0);
		expect(bad.stderr).toContain('--level must be one of debug, info, warn, error');
	});
});

describe('the live log panel in Chromium', () => {
	const browser = useBrowser();

	it('shows new entries within seconds, pretty-prints JSON, filters by level and text, pauses and clears', async () => {
		await owner.workers.upload.mutate({ name: 'watched', code: CHATTY });
		const context = await browser().newContext({ baseURL: app.url, viewport: { width: 375, height: 800 } });
		try {
			const page = await context.newPage();
			await page.goto('/login');
			await page.getByLabel('Token').fill(ADMIN_TOKEN);
			await Promise.all([page.waitForURL(`${app.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
			await page.goto('/workers/watched');
			await page.getByTestId('logs-status').filter({ hasText: 'live' }).waitFor();

			const id = await (await fetch(`${app.url}/user-workers/watched/seen`)).text();
			const rows = page.locator(`[data-testid="log-entry"][data-request-id="${id}"]`);
			await rows.nth(5).waitFor({ timeout: 5000 });
			expect(await rows.count()).toBe(6);
			// The JSON part of 'log line {"path":"/seen"}' is pretty-printed.
			expect(await rows.nth(1).locator('pre').innerText()).toBe('{\n  "path": "/seen"\n}');
			// An uncaught exception and a request over the time limit show up too, under their own request ids.
			expect((await fetch(`${app.url}/user-workers/watched/throw`)).status).toBe(502);
			expect((await fetch(`${app.url}/user-workers/watched/slow`)).status).toBe(504);
			const exception = page.getByTestId('log-entry').filter({ hasText: 'boom from the Worker' });
			await exception.waitFor({ timeout: 5000 });
			expect(await exception.locator('.kind').innerText()).toMatch(/exception/i);
			const timedOut = page.getByTestId('log-entry').filter({ hasText: 'GET /slow 504 timeout' });
			await timedOut.waitFor({ timeout: 5000 });
			expect(await timedOut.getAttribute('data-request-id')).not.toBe(await exception.getAttribute('data-request-id'));

			await page.getByTestId('logs-level').selectOption('warn');
			expect(await rows.count()).toBe(2);
			await page.getByTestId('logs-level').selectOption('debug');
			await page.getByTestId('logs-filter').fill('info line');
			expect(await rows.count()).toBe(1);
			await page.getByTestId('logs-filter').fill('');

			await page.getByRole('button', { name: 'Pause' }).click();
			await page.getByRole('button', { name: 'Clear' }).click();
			expect(await page.getByTestId('log-entry').count()).toBe(0);
			const later = await (await fetch(`${app.url}/user-workers/watched/later`)).text();
			await new Promise((resolve) => setTimeout(resolve, 2000));
			expect(await page.getByTestId('log-entry').count()).toBe(0);
			await page.getByRole('button', { name: 'Resume' }).click();
			await page.locator(`[data-testid="log-entry"][data-request-id="${later}"]`).nth(5).waitFor({ timeout: 5000 });

			// The charts count the four requests (two failed) (the reload asks for the metrics again), on both spans.
			await page.reload();
			await page.getByTestId('metrics-totals').filter({ hasText: '4 requests, 2 errors' }).waitFor({ timeout: 5000 });
			expect(await page.getByTestId('worker-metrics').locator('rect.requests').count()).toBeGreaterThan(0);
			await page.getByRole('button', { name: 'Last 24 hours' }).click();
			await page.getByTestId('metrics-totals').filter({ hasText: '4 requests, 2 errors' }).waitFor({ timeout: 5000 });
			await page.screenshot({ path: join(tmpdir(), 'wfp-worker-metrics-375.png'), fullPage: true });

			// The Workers list shows each Worker's requests per minute.
			await page.goto('/');
			await page.getByTestId('worker-row').filter({ hasText: 'watched' }).getByTestId('request-rate').waitFor({ timeout: 5000 });
			expect(await page.getByTestId('worker-row').filter({ hasText: 'watched' }).getByTestId('request-rate').getAttribute('title')).toBe(
				'4 requests in the last hour'
			);
			await page.emulateMedia({ colorScheme: 'dark' });
			await page.goto('/workers/watched');
			await page.getByTestId('metrics-totals').filter({ hasText: '4 requests, 2 errors' }).waitFor({ timeout: 5000 });
			await page.screenshot({ path: join(tmpdir(), 'wfp-worker-metrics-375-dark.png'), fullPage: true });
		} finally {
			await context.close();
		}
	});
});
