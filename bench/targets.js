// Starts each benchmark target on loopback and returns { name, url, stop }, where `url` serves the
// hello-world user Worker. Every target runs on the same workerd (the one wrangler and miniflare ship).
import { build } from 'esbuild';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startRunner } from '../scripts/runner.js';
import { freePort, startApp } from '../tests/e2e/app.ts';

export const HELLO_WORLD = `export default { fetch: () => new Response('Hello World!') }`;
const COMPATIBILITY_DATE = '2026-08-01';
const quiet = () => {};

/** One Worker in its own workerd process, as scripts/runner.js starts the runner. */
function startWorkerd(port, worker) {
	return new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port, workers: [worker] }));
}

/** Direct: the user Worker served by workerd on its own, no dispatcher (the floor). */
export async function startDirect() {
	const mf = startWorkerd(0, { name: 'hello', modules: true, script: HELLO_WORLD, compatibilityDate: COMPATIBILITY_DATE });
	const url = (await mf.ready).origin + '/';
	return { name: 'direct', url, stop: () => mf.dispose() };
}

/** Bare dispatcher (bench/bare-dispatcher.js), through the runner process when `isolated`, else in-process. */
export async function startBare({ isolated }) {
	const bundle = await build({
		entryPoints: [fileURLToPath(new URL('./bare-dispatcher.js', import.meta.url))],
		bundle: true,
		format: 'esm',
		platform: 'neutral',
		write: false,
		logLevel: 'silent'
	});
	const port = await freePort();
	const secret = randomBytes(32).toString('hex');
	const runner = isolated ? await startRunner({ codeUrl: `http://127.0.0.1:${port}`, secret, log: quiet }) : null;
	const mf = startWorkerd(port, {
		name: 'bare-dispatcher',
		modules: true,
		script: bundle.outputFiles[0].text,
		compatibilityDate: COMPATIBILITY_DATE,
		kvNamespaces: ['MAPPINGS'],
		workerLoaders: { LOADER: {} },
		bindings: runner ? { RUNNER_URL: runner.url, RUNNER_SECRET: secret } : {}
	});
	try {
		await mf.ready;
		const kv = await mf.getKVNamespace('MAPPINGS');
		const script = { scriptId: 'hello-id', sha256: 'hello-v1', compatibilityDate: COMPATIBILITY_DATE };
		await kv.put('script:' + script.scriptId, HELLO_WORLD);
		await kv.put('hello', JSON.stringify(script));
	} catch (error) {
		await mf.dispose().catch(quiet);
		await runner?.stop();
		throw error;
	}
	return {
		name: isolated ? 'bare' : 'bare (in-process)',
		url: `http://127.0.0.1:${port}/user-workers/hello/`,
		stop: async () => {
			await mf.dispose().catch(quiet);
			await runner?.stop();
		}
	};
}

/** Ours: the built app started exactly as `npm start` starts it, with its runner or (`isolated: false`) without. */
export async function startOurs({ isolated }) {
	const app = await startApp(isolated ? {} : { WFP_ISOLATION: 'off' });
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
