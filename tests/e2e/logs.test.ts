// A Worker's logs and metrics end to end, with the app started as `npm start` starts it (runner processes,
// Worker Loader with the runner's LogTail Tail Worker): console lines at every level, an uncaught
// exception and the request lines show up in workers.logs with the request's id; the owner and the
// operator may read them, another customer and anonymous callers may not; the bound holds under a flood.
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
const app = useApp({ PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN, LOGS_MAX_ENTRIES: String(MAX_ENTRIES) });

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
		child.stdout.on('data', (chunk) => (stdout += chunk));
		try {
			// The tail's first call takes its cursor; the request after it is what it prints.
			await new Promise((resolve) => setTimeout(resolve, 1500));
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

			// The charts count the two requests (the reload asks for the metrics again), on both spans.
			await page.reload();
			await page.getByTestId('metrics-totals').filter({ hasText: '2 requests, 0 errors' }).waitFor({ timeout: 5000 });
			expect(await page.getByTestId('worker-metrics').locator('rect.requests').count()).toBeGreaterThan(0);
			await page.getByRole('button', { name: 'Last 24 hours' }).click();
			await page.getByTestId('metrics-totals').filter({ hasText: '2 requests, 0 errors' }).waitFor({ timeout: 5000 });
			await page.screenshot({ path: join(tmpdir(), 'wfp-worker-metrics-375.png'), fullPage: true });

			// The Workers list shows each Worker's requests per minute.
			await page.goto('/');
			await page.getByTestId('worker-row').filter({ hasText: 'watched' }).getByTestId('request-rate').waitFor({ timeout: 5000 });
			expect(await page.getByTestId('worker-row').filter({ hasText: 'watched' }).getByTestId('request-rate').getAttribute('title')).toBe(
				'2 requests in the last hour'
			);
			await page.emulateMedia({ colorScheme: 'dark' });
			await page.goto('/workers/watched');
			await page.getByTestId('metrics-totals').filter({ hasText: '2 requests, 0 errors' }).waitFor({ timeout: 5000 });
			await page.screenshot({ path: join(tmpdir(), 'wfp-worker-metrics-375-dark.png'), fullPage: true });
		} finally {
			await context.close();
		}
	});
});
