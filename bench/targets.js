// Starts each benchmark target on loopback and returns { name, url, stop }, where `url` serves the
// hello-world user Worker. Every target runs on the same workerd (the one wrangler and miniflare ship).
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorker, startRunner } from '../scripts/runner.js';
import { startApp } from '../scripts/launch-app.js';
import { reservePort } from '../scripts/ports.js';
import { RUNNER_HEADERS, RUNNER_RUN_PATH } from '../src/lib/server/runner-protocol.ts';
import { DEFAULT_LIMITS, HELLO_SCRIPT, HELLO_WORLD } from './hello-worker.js';

const COMPATIBILITY_DATE = HELLO_SCRIPT.compatibilityDate;
const quiet = () => {};

/** One Worker in its own workerd process, as scripts/runner.js starts the runner. */
function startWorkerd(port, worker) {
	return new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port, cf: false, workers: [worker] }));
}

/** Direct: the user Worker served by workerd on its own, no dispatcher (the floor). */
export async function startDirect() {
	const mf = startWorkerd(0, { name: 'hello', modules: true, script: HELLO_WORLD, compatibilityDate: COMPATIBILITY_DATE });
	const url = (await mf.ready).origin + '/';
	return { name: 'direct', url, stop: () => mf.dispose() };
}

/** A Worker from bench/`file`, bundled, in its own workerd process on `port`. */
async function startBenchWorker(file, port, options) {
	const script = await bundleWorker(fileURLToPath(new URL(file, import.meta.url)));
	const mf = startWorkerd(port, { name: file, modules: true, script, compatibilityDate: COMPATIBILITY_DATE, ...options });
	await mf.ready;
	return mf;
}

/**
 * Bare dispatcher (bench/bare-dispatcher.js), through the runner process when `isolated`, else in-process.
 * An isolated one also returns `runnerAlone`: its runner, sent requests directly in the runner's own protocol.
 */
export async function startBare({ isolated }) {
	// The runner must know bare's port before bare starts; held meanwhile so the runner cannot take it.
	const reservation = await reservePort(0);
	if (!reservation) throw new Error('no free port on 127.0.0.1');
	const { port } = reservation;
	const secret = randomBytes(32).toString('hex');
	const runner = isolated ? await startRunner({ codeUrl: `http://127.0.0.1:${port}`, secret, log: quiet }) : null;
	let mf;
	try {
		await reservation.release();
		mf = await startBenchWorker('./bare-dispatcher.js', port, {
			kvNamespaces: ['MAPPINGS'],
			workerLoaders: { LOADER: {} },
			bindings: runner ? { RUNNER_URL: runner.url, RUNNER_SECRET: secret } : {}
		});
		const kv = await mf.getKVNamespace('MAPPINGS');
		await kv.put('script:' + HELLO_SCRIPT.scriptId, HELLO_WORLD);
		await kv.put('hello', JSON.stringify(HELLO_SCRIPT));
	} catch (error) {
		await mf?.dispose().catch(quiet);
		await runner?.stop();
		throw error;
	}
	const bare = {
		name: isolated ? 'bare' : 'bare (in-process)',
		url: `http://127.0.0.1:${port}/user-workers/hello/`,
		stop: async () => {
			await mf.dispose().catch(quiet);
			await runner?.stop();
		}
	};
	if (!runner) return bare;
	const runnerAlone = {
		name: 'runner alone',
		url: runner.url + RUNNER_RUN_PATH,
		headers: {
			[RUNNER_HEADERS.secret]: secret,
			[RUNNER_HEADERS.script]: JSON.stringify(HELLO_SCRIPT),
			[RUNNER_HEADERS.limits]: JSON.stringify(DEFAULT_LIMITS),
			[RUNNER_HEADERS.url]: `http://127.0.0.1:${port}/`
		},
		// stopped with bare
		stop: async () => {}
	};
	return { ...bare, runnerAlone };
}

/** The Worker Loader alone (bench/loader-only.js): in-process dispatch with no dispatcher. */
export async function startLoaderOnly() {
	const mf = await startBenchWorker('./loader-only.js', 0, { workerLoaders: { LOADER: {} } });
	return { name: 'Worker Loader alone', url: (await mf.ready).origin + '/', stop: () => mf.dispose() };
}

/** Ours: the built app started exactly as `npm start` starts it, with its runner or (`isolated: false`) without. */
export async function startOurs({ isolated, env = {} }) {
	const app = await startApp({ ...env, ...(isolated ? {} : { WFP_ISOLATION: 'off' }) });
	try {
		await upload(app.url, 'hello', HELLO_WORLD);
	} catch (error) {
		await app.stop();
		throw error;
	}
	return { name: isolated ? 'ours' : 'ours (in-process)', url: `${app.url}/user-workers/hello/`, app, stop: app.stop };
}

/** `workers.upload` over HTTP; returns the response time in ms. */
export async function upload(origin, name, code) {
	const started = performance.now();
	const response = await fetch(`${origin}/api/trpc/workers.upload`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name, code })
	});
	const body = await response.text();
	if (!response.ok) throw new Error(`upload of ${name} failed: HTTP ${response.status} ${body}`);
	return performance.now() - started;
}
