// Starts and supervises the user-Worker runners (src/runner/worker.ts), each in its own workerd process.
// Local workerd enforces no CPU limit and a loaded isolate shares its process's thread, so a user
// Worker stuck in `while (true) {}` freezes its whole process. Keeping user Workers out of the app's
// process keeps the platform answering, and spreading them over several runners (the app pins each
// script to one, src/lib/server/runner-protocol.ts) uses every core and keeps the Workers on the other
// runners answering. Each runner has its own supervisor, which notices when it stops answering its health
// check and restarts it on the same port.
import { build } from 'esbuild';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RUNNER_HEALTH_PATH } from '../src/lib/server/runner-protocol.ts';
import { DEFAULTS } from '../src/lib/server/config.ts';
import { egressTestSettings, startEgressProxy } from './egress-proxy.js';

const ENTRY = fileURLToPath(new URL('../src/runner/worker.ts', import.meta.url));
// The workerd bundled with wrangler supports this date; user Workers choose their own.
const RUNNER_COMPATIBILITY_DATE = '2026-08-01';
const DEFAULT_MAX_LOADED_WORKERS = 200;
// What workerd logs (with a stack of addresses) when an isolate ends a call with abortIsolate(), which is
// how the runner unloads an idle user Worker (src/lib/server/user-worker-loader.ts): expected, not printed.
const UNLOAD_LOG = 'script terminated for unknown reasons';

/** @param {{ level: string, message: string }} log a line workerd logs */
function printRuntimeLog({ level, message }) {
	if (message.includes(UNLOAD_LOG)) return;
	if (level === 'error' || level === 'warn') console.error(message);
	else console.log(message);
}

/**
 * A Worker module and its imports as one ES module script for workerd (also used by bench/).
 * @param {string} entry the module's path
 */
export async function bundleWorker(entry) {
	const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', external: ['cloudflare:*'], write: false, logLevel: 'silent' });
	return result.outputFiles[0].text;
}

/**
 * @param {{ codeUrl: string, secret: string, port?: number, host?: string, script?: string, maxLoadedIsolates?: number,
 *   healthIntervalMs?: number, healthTimeoutMs?: number, log?: (message: string) => void }} options
 *   `script`: the runner Worker already bundled (bundleWorker of src/runner/worker.ts), when starting several;
 *   `maxLoadedIsolates`: how many user Worker isolates it keeps loaded at most (least recently used unloaded first)
 * @returns {Promise<{ url: string, restarts: () => number, stop: () => Promise<void> }>}
 */
export async function startRunner({
	codeUrl,
	secret,
	script,
	maxLoadedIsolates = DEFAULT_MAX_LOADED_WORKERS,
	port = 0,
	host = '127.0.0.1',
	healthIntervalMs = 1000,
	healthTimeoutMs = 1500,
	log = (message) => console.log(`[runner] ${message}`)
}) {
	const runnerScript = script ?? (await bundleWorker(ENTRY));
	// User Workers' fetch() leaves through the egress proxy in this process (scripts/egress-proxy.js).
	const egress = await startEgressProxy({ secret, ...egressTestSettings(process.env) });
	const options = (/** @type {number} */ listenPort) =>
		convertV4MiniflareOptions({
			// Miniflare's own entry socket, which puts its entry Worker in front of every request, goes unused:
			// the runner Worker listens on a socket of its own (unsafeDirectSockets below).
			host: '127.0.0.1',
			port: 0,
			// The placeholder Request.cf object: no download of Cloudflare's (offline, it fails with a warning).
			cf: false,
			handleStructuredLogs: printRuntimeLog,
			workers: [
				{
					name: 'runner',
					modules: true,
					script: runnerScript,
					compatibilityDate: RUNNER_COMPATIBILITY_DATE,
					workerLoaders: { LOADER: {} },
					bindings: {
						CODE_URL: codeUrl,
						RUNNER_SECRET: secret,
						EGRESS_PROXY_URL: egress.url,
						MAX_LOADED_ISOLATES: String(maxLoadedIsolates),
						// WFP_LOGS=off: user Workers run without the Tail Worker that records their logs.
						RECORD_LOGS: process.env.WFP_LOGS === 'off' ? 'off' : 'on',
						// Log entries each user Worker may record per second (src/lib/server/logs/buffer.ts).
						LOGS_MAX_PER_SECOND: process.env.LOGS_MAX_PER_SECOND ?? '',
						// A request that takes as long is the app's to record, as a timeout (src/lib/server/logs/buffer.ts).
						DISPATCH_TIMEOUT_MS: process.env.DISPATCH_TIMEOUT_MS || String(DEFAULTS.dispatchTimeoutMs)
					},
					// User Workers' fetch() goes through the runner's UserOutbound to the egress proxy (src/runner/worker.ts).
					serviceBindings: { USER_OUTBOUND: { name: 'runner', entrypoint: 'UserOutbound' } },
					unsafeDirectSockets: [{ host, port: listenPort }]
				}
			]
		});

	let mf = new Miniflare(options(port));
	const url = (await mf.unsafeGetDirectURL('runner')).origin;
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
			await Promise.all([mf.dispose(), egress.stop()]);
		}
	};
}

/**
 * WFP_MAX_LOADED_WORKERS: how many user Worker isolates the runners keep loaded at most, all together (each
 * runner keeps its share). About 1.5 MiB each; the default keeps the runners of a 2-core machine under 1 GiB.
 * @param {string | undefined} setting
 */
export function maxLoadedWorkers(setting = process.env.WFP_MAX_LOADED_WORKERS) {
	return positiveInteger('WFP_MAX_LOADED_WORKERS', setting, DEFAULT_MAX_LOADED_WORKERS, 'the number of user Worker isolates kept loaded');
}

/**
 * @param {string} name @param {string | undefined} setting @param {number} fallback @param {string} meaning
 */
function positiveInteger(name, setting, fallback, meaning) {
	if (setting === undefined || setting === '') return fallback;
	const value = Number(setting);
	if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (${meaning}), got ${JSON.stringify(setting)}`);
	return value;
}

/**
 * WFP_RUNNERS: how many runner processes to start; by default the number of cores, at least 2 (one spare
 * while another is stuck).
 * @param {string | undefined} setting
 */
export function runnerCount(setting = process.env.WFP_RUNNERS) {
	return positiveInteger('WFP_RUNNERS', setting, Math.max(2, availableParallelism()), 'the number of runner processes');
}

/**
 * `count` runners, each supervised on its own (see startRunner); `urls[i]` is runner i's origin, in the
 * order the app's RUNNER_URL lists them. `maxLoadedWorkers` is shared out among them.
 * @param {{ count: number, maxLoadedWorkers?: number } & Parameters<typeof startRunner>[0]} options
 * @returns {Promise<{ urls: string[], restarts: () => number, stop: () => Promise<void> }>}
 */
export async function startRunners({ count, maxLoadedWorkers = DEFAULT_MAX_LOADED_WORKERS, log = (message) => console.log(message), ...options }) {
	const script = await bundleWorker(ENTRY);
	const maxLoadedIsolates = Math.ceil(maxLoadedWorkers / count);
	const started = await Promise.allSettled(
		Array.from({ length: count }, (_, i) =>
			startRunner({ ...options, script, maxLoadedIsolates, log: (message) => log(`[runner ${i}] ${message}`) })
		)
	);
	const runners = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
	const stop = async () => {
		await Promise.allSettled(runners.map((runner) => runner.stop()));
	};
	const failure = started.find((result) => result.status === 'rejected');
	if (failure) {
		await stop();
		throw failure.reason;
	}
	return { urls: runners.map((runner) => runner.url), restarts: () => runners.reduce((sum, runner) => sum + runner.restarts(), 0), stop };
}
