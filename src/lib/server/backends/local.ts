// The local backend: each version's modules live in the version store (KV, src/lib/server/versions/) and
// run through the Worker Loader. Either in this process (the LOADER binding) or, when RUNNER_URL is set
// (`npm start`, `npm run dev`), in separate supervised runner processes, each script always on the same
// one, so a user Worker that hangs cannot freeze the platform nor the Workers on other runners. The runners
// pull a version's modules and env from this app on demand (serveInternal). Deploying is nothing more than
// the record pointing at a stored version, so deploy, secrets and remove have nothing of their own to do.
import type { PlatformConfig } from '../config';
import type { ScriptSource, WorkerBackend } from '../backend';
import { RuntimeUnavailableError, ScriptMissingError } from '../errors';
import { loadUserWorker, type LoadableWorker } from '../user-worker-loader';
import { runSampled, type LogBuffer } from '../logs/buffer';
import { safeEqual } from '../secrets';
import { RUNNER_ASSETS_PATH, RUNNER_CODE_PATH, RUNNER_HEADERS, RUNNER_LOGS_PATH, RUNNER_RUN_PATH, runnerIndex } from '../runner-protocol';
import { receiveLogEntries } from '../logs/receive';
import type { LogRecorder } from '../logs/recorder';
import type { InProcessExports } from '../in-process-exports';
import { serveRunnerAsset } from '../assets/serve';

/** What user Workers run in the app's own process (WFP_ISOLATION=off) reach: the app's entrypoints, and the buffer their logs go to. */
export interface InProcessBindings {
	exports: InProcessExports;
	logs: LogBuffer;
}

export function createLocalBackend(env: Env, config: PlatformConfig, source: ScriptSource, logs?: LogRecorder, inProcess?: InProcessBindings): WorkerBackend {
	async function loadable(scriptId: string, version: number): Promise<LoadableWorker> {
		const [worker, { vars, secrets }] = await Promise.all([source.worker(scriptId, version), source.settings(scriptId)]);
		if (worker === null) throw new ScriptMissingError(scriptId);
		return { worker, env: { ...vars, ...secrets } };
	}

	let run: WorkerBackend['fetch'];
	if (config.runner) {
		run = runOnRunner(config.runner, config.limits, runnerBindings(env, config.runner.urls.length));
	} else {
		const loader = env.LOADER;
		if (!loader) throw new Error('the local backend needs the LOADER (worker_loaders) binding or RUNNER_URL');
		const recording = logs?.store.settings.enabled && inProcess ? inProcess.logs : null;
		const sampling = { flushLater: () => inProcess?.exports.flushLater(), timeoutMs: config.dispatchTimeoutMs };
		run = (script, request) =>
			runSampled(
				recording,
				script.scriptId,
				request.method,
				(withTails) =>
					loadUserWorker(
						loader,
						script,
						() => loadable(script.scriptId, script.version),
						script.limits ?? config.limits,
						undefined,
						() => ({
							tails: () => inProcess?.exports.tails(script.scriptId) ?? [],
							assets: script.assets ? inProcess?.exports.assets(script) : undefined
						}),
						withTails
					).fetch(request),
				sampling
			);
	}

	return {
		async deploy() {},
		async updateSecrets() {},
		async remove() {},
		async removePreviews() {},
		async removeOwnedBy() {},
		fetch: run,
		async serveInternal(request, url) {
			const forLogs = url.pathname === RUNNER_LOGS_PATH;
			const forAssets = url.pathname.startsWith(RUNNER_ASSETS_PATH);
			if (!url.pathname.startsWith(RUNNER_CODE_PATH) && !forLogs && !forAssets) return undefined;
			const secret = request.headers.get(RUNNER_HEADERS.secret);
			if (!config.runner || !secret || !safeEqual(secret, config.runner.secret))
				return new Response('forbidden', { status: 403 });
			if (forLogs) return receiveLogEntries(request, logs);
			if (forAssets) return serveRunnerAsset(source, request, url.pathname.slice(RUNNER_ASSETS_PATH.length), url.searchParams.get('path') ?? '/');
			// <scriptId>/<version>
			const [scriptId, version] = url.pathname.slice(RUNNER_CODE_PATH.length).split('/').map(decodeURIComponent);
			try {
				return Response.json(await loadable(scriptId, Number(version)));
			} catch (error) {
				if (error instanceof ScriptMissingError) return new Response('no such script', { status: 404 });
				throw error;
			}
		}
	};
}

/**
 * The runners as service bindings RUNNER_0, RUNNER_1, … (scripts/platform-server.js binds them under `npm
 * start`): a request through one goes straight to the runner's socket, where the global fetch() passes
 * through the local runtime's outbound Worker first. Under `vite dev` there are none, and fetch() is used.
 */
function runnerBindings(env: Env, count: number): (Fetcher | undefined)[] {
	const bindings = env as unknown as Record<string, Fetcher | undefined>;
	return Array.from({ length: count }, (_, i) => bindings[`RUNNER_${i}`]);
}

function runOnRunner(
	runner: NonNullable<PlatformConfig['runner']>,
	limits: PlatformConfig['limits'],
	bindings: (Fetcher | undefined)[]
): WorkerBackend['fetch'] {
	const defaultLimitsHeader = JSON.stringify(limits);
	const runUrls = runner.urls.map((url) => url + RUNNER_RUN_PATH);
	const fetchers = bindings.map((binding): typeof fetch =>
		binding ? (input, init) => binding.fetch(input, init) : (input, init) => fetch(input, init)
	);
	return async (script, request, signal) => {
		// The dispatcher's own copy of the caller's request (dispatch.ts): its headers are edited in place, and
		// fetch() below copies them once more onto the wire.
		const { headers } = request;
		headers.set(RUNNER_HEADERS.secret, runner.secret);
		headers.set(RUNNER_HEADERS.script, JSON.stringify(script));
		headers.set(RUNNER_HEADERS.limits, script.limits ? JSON.stringify(script.limits) : defaultLimitsHeader);
		headers.set(RUNNER_HEADERS.url, request.url);
		// Compressing on loopback is wasted work, and a compressed body crossing the hop could reach a client
		// that never asked for it. The app chooses the encoding for the client on the way out (src/worker.ts).
		const acceptEncoding = headers.get('accept-encoding');
		if (acceptEncoding !== null) headers.set(RUNNER_HEADERS.acceptEncoding, acceptEncoding);
		headers.set('accept-encoding', 'identity');
		let response: Response;
		try {
			const index = runnerIndex(script.scriptId, runUrls.length);
			response = await fetchers[index](runUrls[index], {
				method: request.method,
				headers,
				body: request.body,
				redirect: 'manual',
				signal,
				// @ts-expect-error Node's fetch (vite dev) needs this to stream a request body
				duplex: 'half'
			});
		} catch (error) {
			if (signal.aborted) throw error;
			throw new RuntimeUnavailableError(`the user Worker runner is not answering (${(error as Error).message}); it restarts by itself`);
		}
		const failure = response.headers.get(RUNNER_HEADERS.error);
		if (failure !== null) {
			if (response.status === 404) throw new ScriptMissingError(script.scriptId);
			throw new Error(decodeURIComponent(failure));
		}
		// The dispatcher hardens it (user-response.ts), dropping every x-wfp-* header on the way out.
		return response;
	};
}
