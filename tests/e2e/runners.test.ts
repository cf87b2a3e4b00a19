// Several runner processes (WFP_RUNNERS), each Worker pinned to one by its script id: a Worker that loops
// forever stalls only the Workers on its runner, until that runner's supervisor restarts it, while the
// Workers on the other runner keep answering.
import { beforeAll, describe, expect, it } from 'vitest';
import { runnerIndex } from '$lib/server/runner-protocol';
import { useApp } from './use-app';

const RUNNERS = 2;
const DISPATCH_TIMEOUT_MS = 3000;
const app = useApp({ WFP_RUNNERS: String(RUNNERS), DISPATCH_TIMEOUT_MS: String(DISPATCH_TIMEOUT_MS) });

const greeter = (text: string) => `export default { fetch: () => new Response(${JSON.stringify(text)}) }`;
/** Uploads a Worker and returns the runner its script id pins it to. */
async function upload(name: string, code: string): Promise<number> {
	const { scriptId } = await app.client.workers.upload.mutate({ name, code });
	return runnerIndex(scriptId, RUNNERS);
}

let spinnerRunner: number;
/** A Worker on the spinner's runner, and one on the other runner. */
const neighbours: { sameRunner?: string; otherRunner?: string } = {};

beforeAll(async () => {
	spinnerRunner = await upload('spinner', 'export default { fetch() { while (true) {} } }');
	// Script ids are random: upload Workers until there is one on each runner.
	for (let i = 0; !(neighbours.sameRunner && neighbours.otherRunner); i++) {
		if (i === 40) throw new Error('40 script ids all hashed to one runner');
		const name = `neighbour-${i}`;
		const runner = await upload(name, greeter(name));
		neighbours[runner === spinnerRunner ? 'sameRunner' : 'otherRunner'] ??= name;
	}
});

async function call(name: string, timeoutMs = 10_000) {
	const started = performance.now();
	const response = await fetch(`${app.url}/user-workers/${name}/`, { signal: AbortSignal.timeout(timeoutMs) });
	return { status: response.status, text: await response.text(), ms: performance.now() - started };
}

describe('WFP_RUNNERS runner processes', () => {
	it('starts that many runners, each supervised on its own', async () => {
		expect(app.output()).not.toContain('[runner 2]');
		expect(await call(neighbours.sameRunner!)).toMatchObject({ status: 200, text: neighbours.sameRunner });
		expect(await call(neighbours.otherRunner!)).toMatchObject({ status: 200, text: neighbours.otherRunner });
	});

	it('keeps the Workers on the other runner answering while a Worker loops forever on its own runner', async () => {
		const looping = call('spinner');
		await new Promise((resolve) => setTimeout(resolve, 300));

		// The neighbour on the stuck runner waits with it: answered only by the timeout or the restart.
		const stalled = call(neighbours.sameRunner!);
		// The neighbour on the other runner answers at once, again and again, throughout the stall.
		const during: { status: number; ms: number }[] = [];
		for (const until = performance.now() + DISPATCH_TIMEOUT_MS - 500; performance.now() < until; ) {
			const { status, text, ms } = await call(neighbours.otherRunner!, 1000);
			expect(text).toBe(neighbours.otherRunner);
			during.push({ status, ms });
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(during.length).toBeGreaterThan(5);
		expect(during.every(({ status, ms }) => status === 200 && ms < 1000)).toBe(true);

		expect([503, 504]).toContain((await stalled).status);
		expect([503, 504]).toContain((await looping).status);

		// The stuck runner is restarted on its own; the other one never was.
		for (const deadline = Date.now() + 45_000; ; ) {
			const { status } = await call(neighbours.sameRunner!);
			if (status === 200) break;
			if (Date.now() > deadline) throw new Error(`the spinner's runner did not come back (${status})`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		expect(app.output()).toContain(`[runner ${spinnerRunner}] runner restarted`);
		expect(app.output()).not.toContain(`[runner ${1 - spinnerRunner}] runner restarted`);
	});
});
