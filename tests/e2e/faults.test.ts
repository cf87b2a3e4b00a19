// Faulty user Workers against the app started as `npm start` starts it (user Workers in the supervised
// runner process): the platform and the other Workers keep answering, and the runner recovers by itself.
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './use-app';

// Shorter than the runner's health check takes to notice a stuck runner (scripts/runner.js), so a loop
// is answered by the dispatch timeout (504) before the restart cuts the connection (503).
const DISPATCH_TIMEOUT_MS = 1000;
const SUBREQUEST_LIMIT = 20;

const app = useApp({ DISPATCH_TIMEOUT_MS: String(DISPATCH_TIMEOUT_MS), USER_WORKER_SUBREQUESTS: String(SUBREQUEST_LIMIT) });
beforeAll(async () => {
	await app.client.workers.upload.mutate({ name: 'healthy', code: 'export default { fetch: () => new Response("still here") }' });
});

const upload = (name: string, code: string) => app.client.workers.upload.mutate({ name, code });

/** The platform's own page, its API and a well-behaved Worker all answer. */
async function platformAnswers() {
	expect((await fetch(`${app.url}/`)).status).toBe(200);
	expect((await app.client.workers.list.query()).workers.length).toBeGreaterThan(0);
}

/** Waits until the healthy Worker answers again (its runner may be stuck or restarting). */
async function healthyAnswersAgain(withinMs = 45_000) {
	const deadline = Date.now() + withinMs;
	for (;;) {
		const response = await fetch(`${app.url}/user-workers/healthy/`);
		const text = await response.text();
		if (response.status === 200) return expect(text).toBe('still here');
		// Stuck behind a faulty Worker on the same runner (504), or the runner restarting (503).
		expect([503, 504]).toContain(response.status);
		if (Date.now() > deadline) throw new Error(`the healthy Worker did not recover: ${response.status} ${text}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

describe('faulty user Workers do not take the platform down', () => {
	it('answers the UI and the API within 2 s while a Worker loops forever, times the loop out, and recovers', async () => {
		await upload('spinner', 'export default { fetch() { while (true) {} } }');
		const looping = fetch(`${app.url}/user-workers/spinner/`);
		await new Promise((resolve) => setTimeout(resolve, 500));

		const started = performance.now();
		const [page, list] = await Promise.all([
			fetch(`${app.url}/`, { signal: AbortSignal.timeout(2000) }),
			fetch(`${app.url}/api/trpc/workers.list`, { signal: AbortSignal.timeout(2000) })
		]);
		expect(page.status).toBe(200);
		expect(list.status).toBe(200);
		expect(performance.now() - started).toBeLessThan(2000);

		const timedOut = await looping;
		expect(timedOut.status).toBe(504);
		expect(await timedOut.text()).toContain('Worker &quot;spinner&quot;');

		await healthyAnswersAgain();
		// The healthy Worker may run on another runner than the spinner: wait for the spinner's to restart.
		for (const deadline = Date.now() + 45_000; !app.output().includes('runner restarted'); ) {
			if (Date.now() > deadline) throw new Error(`the spinner's runner was not restarted:\n${app.output()}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	});

	it('reports a Worker that throws at import time, and keeps serving', async () => {
		await upload('import-thrower', 'throw new Error("broken at import"); export default { fetch: () => new Response("never") }');
		const response = await fetch(`${app.url}/user-workers/import-thrower/`);
		expect(response.status).toBe(502);
		const text = await response.text();
		expect(text).toContain('Worker &quot;import-thrower&quot; failed');
		expect(text).toContain('broken at import');
		await healthyAnswersAgain();
		await platformAnswers();
	});

	it('reports a Worker that returns something other than a Response', async () => {
		await upload('not-a-response', 'export default { fetch: () => ({ hello: "world" }) }');
		const response = await fetch(`${app.url}/user-workers/not-a-response/`);
		expect(response.status).toBe(502);
		expect(await response.text()).toContain('Worker &quot;not-a-response&quot; failed');
		await healthyAnswersAgain();
	});

	it('lets a Worker stream for longer than the dispatch timeout while others are served', async () => {
		await upload(
			'forever',
			`export default {
				fetch() {
					let timer;
					const body = new ReadableStream({
						start(controller) {
							timer = setInterval(() => controller.enqueue(new TextEncoder().encode('tick\\n')), 200);
						},
						cancel() { clearInterval(timer); }
					});
					// An event stream, as a real never-ending response is: the local runtime, like Cloudflare, does not
					// compress it (compressing would hold back small chunks).
					return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
				}
			}`
		);
		const abort = new AbortController();
		const response = await fetch(`${app.url}/user-workers/forever/`, { signal: abort.signal });
		expect(response.status).toBe(200);
		const reader = response.body!.getReader();
		const decoder = new TextDecoder();
		const started = Date.now();
		let received = '';
		while (Date.now() - started < DISPATCH_TIMEOUT_MS + 1500) {
			const { value, done } = await reader.read();
			expect(done).toBe(false);
			received += decoder.decode(value);
		}
		expect(received.split('tick').length).toBeGreaterThan(5);
		await healthyAnswersAgain(5000);
		await platformAnswers();
		abort.abort();
	});

	it('survives a Worker that allocates until it dies', async () => {
		await upload(
			'hog',
			`export default {
				fetch() {
					const hoard = [];
					for (;;) hoard.push(new Array(1 << 20).fill(hoard.length));
				}
			}`
		);
		const response = await fetch(`${app.url}/user-workers/hog/`);
		expect([502, 503, 504]).toContain(response.status);
		expect(await response.text()).toContain('Worker &quot;hog&quot;');
		await platformAnswers();
		await healthyAnswersAgain();
	});

	it('keeps serving while a Worker makes thousands of subrequests', async () => {
		await upload(
			'fan-out',
			`export default {
				async fetch() {
					let made = 0;
					try {
						for (; made < 5000; made++) await fetch('http://127.0.0.1:1/');
						return new Response('made ' + made);
					} catch (error) {
						return new Response('stopped after ' + made + ': ' + error.message);
					}
				}
			}`
		);
		const fanOut = fetch(`${app.url}/user-workers/fan-out/`);
		await platformAnswers();
		await healthyAnswersAgain();
		// Cloudflare stops it at USER_WORKER_SUBREQUESTS. Local workerd does not enforce the limit: every call is
		// refused by the runner's outbound filter without touching the network, but they keep the runner busy,
		// and when its health check goes unanswered the supervisor restarts it (503 naming the Worker), or the
		// dispatch timeout answers first (504 naming it).
		const response = await fanOut;
		const text = await response.text();
		if (response.status === 503) expect(text).toContain('Worker &quot;fan-out&quot; is unavailable');
		else if (response.status === 504) expect(text).toContain('Worker &quot;fan-out&quot; did not respond');
		else expect(text).toMatch(new RegExp(`^(made 5000|stopped after ${SUBREQUEST_LIMIT}: .*)$`));
		await healthyAnswersAgain();
	});
});
