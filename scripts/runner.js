// Starts and supervises the user-Worker runner (src/runner/worker.ts) in its own workerd process.
// Local workerd enforces no CPU limit and a loaded isolate shares its process's thread, so a user
// Worker stuck in `while (true) {}` freezes its whole process. Keeping user Workers out of the app's
// process keeps the platform answering; this supervisor notices a runner that stops answering its
// health check and restarts it on the same port.
import { build } from 'esbuild';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { RUNNER_HEALTH_PATH } from '../src/lib/server/runner-protocol.ts';

const ENTRY = fileURLToPath(new URL('../src/runner/worker.ts', import.meta.url));
// The workerd bundled with wrangler supports this date; user Workers choose their own.
const RUNNER_COMPATIBILITY_DATE = '2026-08-01';

/**
 * A Worker module and its imports as one ES module script for workerd (also used by bench/).
 * @param {string} entry the module's path
 */
export async function bundleWorker(entry) {
	const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', external: ['cloudflare:*'], write: false, logLevel: 'silent' });
	return result.outputFiles[0].text;
}

/**
 * @param {{ codeUrl: string, secret: string, port?: number, host?: string,
 *   healthIntervalMs?: number, healthTimeoutMs?: number, log?: (message: string) => void }} options
 * @returns {Promise<{ url: string, restarts: () => number, stop: () => Promise<void> }>}
 */
export async function startRunner({
	codeUrl,
	secret,
	port = 0,
	host = '127.0.0.1',
	healthIntervalMs = 1000,
	healthTimeoutMs = 1500,
	log = (message) => console.log(`[runner] ${message}`)
}) {
	const script = await bundleWorker(ENTRY);
	const options = (/** @type {number} */ listenPort) =>
		convertV4MiniflareOptions({
			host,
			port: listenPort,
			// The placeholder Request.cf object: no download of Cloudflare's (offline, it fails with a warning).
			cf: false,
			workers: [
				{
					name: 'runner',
					modules: true,
					script,
					compatibilityDate: RUNNER_COMPATIBILITY_DATE,
					workerLoaders: { LOADER: {} },
					bindings: { CODE_URL: codeUrl, RUNNER_SECRET: secret },
					// User Workers' fetch() goes through the runner's own filter (src/runner/worker.ts).
					serviceBindings: { USER_OUTBOUND: { name: 'runner', entrypoint: 'UserOutbound' } }
				}
			]
		});

	let mf = new Miniflare(options(port));
	const url = (await mf.ready).origin;
	const fixedPort = Number(new URL(url).port);
	let restarts = 0;
	let stopped = false;
	let restarting = false;

	async function healthy() {
		try {
			const response = await fetch(url + RUNNER_HEALTH_PATH, { signal: AbortSignal.timeout(healthTimeoutMs) });
			await response.arrayBuffer();
			return response.ok;
		} catch {
			return false;
		}
	}

	async function restart() {
		restarting = true;
		log('a user Worker stopped the runner from answering; restarting it');
		try {
			await mf.dispose().catch(() => {});
			mf = new Miniflare(options(fixedPort));
			await mf.ready;
			restarts++;
			log('runner restarted');
		} catch (error) {
			log(`restart failed: ${/** @type {Error} */ (error).message}; trying again`);
		} finally {
			restarting = false;
		}
	}

	const timer = setInterval(async () => {
		if (stopped || restarting) return;
		if (!(await healthy()) && !stopped && !restarting) await restart();
	}, healthIntervalMs);
	timer.unref();

	return {
		url,
		restarts: () => restarts,
		async stop() {
			stopped = true;
			clearInterval(timer);
			await mf.dispose();
		}
	};
}
