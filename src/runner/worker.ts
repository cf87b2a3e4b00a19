// The runner: a Worker, in its own workerd process supervised by scripts/runner.js, that runs user
// Workers for the local backend. The app sends it requests over loopback; it pulls code from the app on
// first use of each version (code and env). If a user Worker hangs this process, only this process is
// restarted. It keeps at most MAX_LOADED_ISOLATES user Worker isolates loaded, unloading the least recently
// used idle ones, so its memory stays bounded however many Workers it serves.
import { WorkerEntrypoint } from 'cloudflare:workers';
import {
	isolateId,
	loadUserWorker,
	unloadUserWorker,
	type LoadableWorker,
	type UserWorkerLimits
} from '../lib/server/user-worker-loader';
import type { ScriptRef } from '../lib/server/backend';
import { INTERNAL_HEADER_PREFIX } from '../lib/server/backend';
import { RUNNER_ASSETS_PATH, RUNNER_CODE_PATH, RUNNER_HEADERS, RUNNER_HEALTH_PATH, RUNNER_LOGS_PATH, RUNNER_RUN_PATH } from '../lib/server/runner-protocol';
import { entriesFromTrace } from '../lib/server/logs/entries';
import { LOG_BUFFER_MAX_ENTRIES, LOG_FLUSH_MS, LogBuffer, logRateSetting, runSampled } from '../lib/server/logs/buffer';
import { safeEqual } from '../lib/server/secrets';
import { withoutInternalHeaders } from '../lib/server/user-response';
import { fetchThroughEgressProxy } from '../lib/net/egress';

interface RunnerEnv {
	LOADER: WorkerLoader;
	/** Origin of the app that owns the scripts. */
	CODE_URL: string;
	RUNNER_SECRET: string;
	/** The egress proxy in the supervisor process (scripts/egress-proxy.js). */
	EGRESS_PROXY_URL: string;
	/** How many user Worker isolates stay loaded at most (a decimal string; scripts/runner.js sets it). */
	MAX_LOADED_ISOLATES: string;
	/** "off" when WFP_LOGS=off: user Workers load without the LogTail Tail Worker (scripts/runner.js sets it). */
	RECORD_LOGS: string;
	/** Log entries each user Worker may record per second (LOGS_MAX_PER_SECOND; buffer.ts). */
	LOGS_MAX_PER_SECOND?: string;
	/** The app's DISPATCH_TIMEOUT_MS: a request that takes as long is the app's to record (a 504). */
	DISPATCH_TIMEOUT_MS: string;
	/** This Worker's UserOutbound entrypoint (a service binding to itself, scripts/runner.js). */
	USER_OUTBOUND: Fetcher;
}

/**
 * The network as user Workers see it: the internet, not this machine, the platform, the runner or private
 * networks. Each request goes to the egress proxy, which judges the addresses the host resolves to.
 */
export class UserOutbound extends WorkerEntrypoint<RunnerEnv> {
	fetch(request: Request): Promise<Response> {
		return fetchThroughEgressProxy(request, this.env.EGRESS_PROXY_URL, this.env.RUNNER_SECRET);
	}
}


/**
 * The Tail Worker of the user Worker isolates this runner loads with tails (`props.scriptId` names the
 * Worker; a Worker over its log rate runs in its isolate without: runSampled, logs/buffer.ts): after each
 * invocation it receives the trace events (console lines, exceptions, outcome), turns them into log
 * entries and hands them to the LogBuffer; the call that finds no flush pending schedules the send to the
 * app LOG_FLUSH_MS later (waitUntil) and returns at once, like every other call: a tail invocation held
 * open for the wait costs the runner CPU on every request (bench/logging.js). This runs after the response
 * has gone.
 */
export class LogTail extends WorkerEntrypoint<RunnerEnv, { scriptId: string }> {
	async tail(events: TraceItem[]): Promise<void> {
		const entries = entriesFromTrace(events);
		if (entries.length === 0) return;
		const { logs } = stateOf(this.env);
		if (!logs.add(this.ctx.props.scriptId, entries)) return;
		this.ctx.waitUntil(flushLater(this.env, logs));
	}
}

/**
 * The ASSETS binding of a user Worker whose version has static assets (`props` names the version): a GET or
 * HEAD for an asset path is answered from the app's asset store as the dispatcher would answer it (content
 * type, ETag, 304), anything else is a 404 (or 405 for other methods).
 */
export class UserAssets extends WorkerEntrypoint<RunnerEnv, { scriptId: string; version: number }> {
	async fetch(request: Request): Promise<Response> {
		if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
		const { scriptId, version } = this.ctx.props;
		const headers = new Headers({ [RUNNER_HEADERS.secret]: this.env.RUNNER_SECRET });
		const ifNoneMatch = request.headers.get('if-none-match');
		if (ifNoneMatch !== null) headers.set('if-none-match', ifNoneMatch);
		// The asset path goes as a query parameter, never into the endpoint's own path.
		const path = `${encodeURIComponent(scriptId)}/${version}?path=${encodeURIComponent(new URL(request.url).pathname)}`;
		return fetch(this.env.CODE_URL + RUNNER_ASSETS_PATH + path, { method: request.method, headers });
	}
}

/** This runner's UserAssets entrypoint for a version (ctx.exports: a loopback binding with props). */
function userAssets(ctx: ExecutionContext, script: ScriptRef): Fetcher {
	const exports = ctx.exports as unknown as { UserAssets(options: { props: { scriptId: string; version: number } }): Fetcher };
	return exports.UserAssets({ props: { scriptId: script.scriptId, version: script.version } });
}

/** Sends the LogBuffer to the app LOG_FLUSH_MS from now (the entries of the calls until then go with it). */
async function flushLater(env: RunnerEnv, logs: LogBuffer): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS));
	const response = await fetch(env.CODE_URL + RUNNER_LOGS_PATH, {
		method: 'POST',
		headers: { [RUNNER_HEADERS.secret]: env.RUNNER_SECRET, 'content-type': 'application/json' },
		body: JSON.stringify(logs.take())
	});
	if (!response.ok) console.error(`the app refused a batch of log entries and metrics: HTTP ${response.status} ${await response.text()}`);
	else await response.body?.cancel();
}

/** This runner's LogTail entrypoint for the Worker `scriptId` (ctx.exports: a loopback binding with props). */
function logTail(ctx: ExecutionContext, scriptId: string): Fetcher {
	const exports = ctx.exports as unknown as { LogTail(options: { props: { scriptId: string } }): Fetcher };
	return exports.LogTail({ props: { scriptId } });
}

/** A user Worker isolate: the script version it runs, and whether with its Tail Worker (user-worker-loader.ts). */
interface LoadedIsolate {
	script: ScriptRef;
	withTails: boolean;
}

/**
 * The user Worker isolates this runner has loaded, least recently used first (a Map keeps insertion order,
 * and each use moves its entry to the end). It holds at most `limit` entries plus those in use beyond it:
 * `takeExcess` hands over the idle ones over the limit to be unloaded, and forgets them.
 */
class LoadedIsolates {
	readonly #isolates = new Map<string, { isolate: LoadedIsolate; inUse: number }>();
	constructor(readonly limit: number) {}

	/** A request for `isolate` starts: it becomes the most recently used. */
	enter(id: string, isolate: LoadedIsolate): void {
		const entry = this.#isolates.get(id) ?? { isolate, inUse: 0 };
		this.#isolates.delete(id);
		entry.inUse++;
		this.#isolates.set(id, entry);
	}

	/** A request for the isolate `id` has its response. */
	leave(id: string): void {
		const entry = this.#isolates.get(id);
		if (entry) entry.inUse--;
	}

	/** Whether `id` is loaded as far as this runner knows (a request may have loaded it again since it was handed over). */
	has(id: string): boolean {
		return this.#isolates.has(id);
	}

	/** The least recently used idle isolates beyond the limit, no longer counted as loaded. */
	takeExcess(): LoadedIsolate[] {
		const excess: LoadedIsolate[] = [];
		let over = this.#isolates.size - this.limit;
		for (const [id, entry] of this.#isolates) {
			if (over <= 0) break;
			if (entry.inUse > 0) continue;
			this.#isolates.delete(id);
			excess.push(entry.isolate);
			over--;
		}
		return excess;
	}
}

/**
 * The runner's one piece of state across requests, created on first use (its limits are bindings) and
 * emptied by a restart of the runner process, as the Worker Loader is then: the user Worker isolates it
 * keeps loaded (at most MAX_LOADED_ISOLATES idle ones) and the log entries waiting to go to the app (at
 * most LOG_BUFFER_MAX_ENTRIES).
 */
let runnerState: { loadedIsolates: LoadedIsolates; logs: LogBuffer; recording: LogBuffer | null; timeoutMs: number } | undefined;

function stateOf(env: RunnerEnv) {
	if (runnerState) return runnerState;
	const logs = new LogBuffer(LOG_BUFFER_MAX_ENTRIES, logRateSetting(env.LOGS_MAX_PER_SECOND));
	return (runnerState = {
		loadedIsolates: new LoadedIsolates(Number(env.MAX_LOADED_ISOLATES)),
		logs,
		// The buffer runSampled records into; none when WFP_LOGS=off.
		recording: env.RECORD_LOGS === 'off' ? null : logs,
		timeoutMs: Number(env.DISPATCH_TIMEOUT_MS)
	});
}

/** URI-encoded: an error message may hold characters a header cannot (line breaks, unicode). */
function failure(status: number, message: string): Response {
	return new Response(null, { status, headers: { [RUNNER_HEADERS.error]: encodeURIComponent(message.slice(0, 2000)) } });
}

export default {
	async fetch(request: Request, env: RunnerEnv, ctx: ExecutionContext): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === RUNNER_HEALTH_PATH) return new Response('ok');
		const secret = request.headers.get(RUNNER_HEADERS.secret);
		if (url.pathname !== RUNNER_RUN_PATH || !secret || !safeEqual(secret, env.RUNNER_SECRET))
			return new Response('forbidden', { status: 403 });

		const script: ScriptRef = JSON.parse(request.headers.get(RUNNER_HEADERS.script)!);
		const limits: UserWorkerLimits = JSON.parse(request.headers.get(RUNNER_HEADERS.limits)!);
		const acceptEncoding = request.headers.get(RUNNER_HEADERS.acceptEncoding);
		const forwarded = new Request(request.headers.get(RUNNER_HEADERS.url)!, {
			method: request.method,
			headers: request.headers,
			body: request.body,
			redirect: 'manual'
		});
		// The copy's headers, less the platform's own (the secret among them), are what the user Worker sees.
		const { headers } = forwarded;
		for (const name of [...headers.keys()]) if (name.startsWith(INTERNAL_HEADER_PREFIX)) headers.delete(name);
		if (acceptEncoding === null) headers.delete('accept-encoding');
		else headers.set('accept-encoding', acceptEncoding);

		let missing = false;
		const readWorker = (script: ScriptRef) => async (): Promise<LoadableWorker> => {
			const path = `${encodeURIComponent(script.scriptId)}/${script.version}`;
			const response = await fetch(env.CODE_URL + RUNNER_CODE_PATH + path, {
				headers: { [RUNNER_HEADERS.secret]: env.RUNNER_SECRET }
			});
			if (response.status === 404) missing = true;
			if (!response.ok) throw new Error(`could not load script ${script.scriptId} version ${script.version}: HTTP ${response.status}`);
			return response.json();
		};
		const { loadedIsolates: loaded, logs, recording, timeoutMs } = stateOf(env);
		const bindings = () => ({
			tails: () => [logTail(ctx, script.scriptId)],
			assets: script.assets ? userAssets(ctx, script) : undefined
		});
		/** The request in the version's isolate with or without its Tail Worker, counted as in use until its response. */
		const run = async (withTails: boolean) => {
			const id = isolateId(script, withTails);
			loaded.enter(id, { script, withTails });
			try {
				return await loadUserWorker(env.LOADER, script, readWorker(script), limits, env.USER_OUTBOUND, bindings, withTails).fetch(forwarded);
			} finally {
				loaded.leave(id);
			}
		};
		try {
			// The Worker's own x-wfp-* headers go, so that only failure() can report a failure to the app.
			return withoutInternalHeaders(
				await runSampled(recording, script.scriptId, forwarded.method, run, { flushLater: () => ctx.waitUntil(flushLater(env, logs)), timeoutMs })
			);
		} catch (error) {
			return failure(missing ? 404 : 500, error instanceof Error ? error.message : String(error));
		} finally {
			const excess = loaded.takeExcess();
			if (excess.length > 0) ctx.waitUntil(unload(env, loaded, excess, readWorker));
		}
	}
};

/** Unloads `excess` one at a time, skipping any that a request has loaded again meanwhile. */
async function unload(
	env: RunnerEnv,
	loaded: LoadedIsolates,
	excess: LoadedIsolate[],
	readWorker: (script: ScriptRef) => () => Promise<LoadableWorker>
) {
	for (const { script, withTails } of excess)
		if (!loaded.has(isolateId(script, withTails))) await unloadUserWorker(env.LOADER, script, readWorker(script), env.USER_OUTBOUND, withTails);
}
