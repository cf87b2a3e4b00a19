// The dispatch path: a request -> the user Worker it names -> its response. src/worker.ts (and, under
// `vite dev`, hooks.server.ts) hands every request here first. A Worker is named by
// - its subdomain of the platform's host, `<name>.<PLATFORM_HOST>/<path>` (its own origin),
// - a custom hostname attached to it, `shop.example/<path>` (its own origin, one cached KV read), or
// - the shared path form, `/user-workers/<name>/<path>` on the platform's origin (sandboxed).
// Anything else returns undefined and goes on to SvelteKit's routes.
import { LimitExceededError, RuntimeUnavailableError, ScriptMissingError } from './errors';
import { platformErrorPage } from './pages';
import type { ScriptRef } from './backend';
import type { Platform } from './platform';
import type { StoredWorker } from './registry';
import { userWorkerRequestHeaders } from './user-request';
import { hardenUserResponse } from './user-response';
import { routeByHost } from './hostnames/routing';
import { INTERNAL_PREFIX, USER_WORKERS_PREFIX, isUserWorkerPath } from '$lib/paths';
import { workerNameProblem } from '$lib/worker-name';
import { REQUEST_ID_HEADER } from './logs/entries';
import { serveVersionAsset } from './assets/serve';

/**
 * The Worker a request names, the version it previews (null: the serving one), the path it sees, and the
 * prefix it is served under (null: its own origin).
 */
export interface DispatchTarget {
	name: string;
	version: string | null;
	path: string;
	prefix: string | null;
}

export async function interceptPlatformRequest(request: Request, url: URL, platform: Platform): Promise<Response | undefined> {
	const route = routeByHost(url.hostname, platform.config.platformHostname);
	if (route.kind === 'subdomain') return dispatchToUserWorker(request, url, platform, ownOrigin(route.name, url));
	if (route.kind === 'custom') {
		const name = await platform.hostnames.lookup(route.hostname);
		if (name !== null) return dispatchToUserWorker(request, url, platform, ownOrigin(name, url));
	}
	const { pathname } = url;
	if (isUserWorkerPath(pathname)) return dispatchToUserWorker(request, url, platform);
	if (pathname.startsWith(INTERNAL_PREFIX)) return platform.backend.serveInternal(request, url);
	return undefined;
}

const ownOrigin = (name: string, url: URL): DispatchTarget => ({ name, version: null, path: url.pathname, prefix: null });

/** `/user-workers/<name>/<path>`: the Worker sees `/<path>`, with the prefix in X-Forwarded-Prefix. */
function pathTarget(url: URL): DispatchTarget {
	const rest = url.pathname.slice(USER_WORKERS_PREFIX.length);
	const slash = rest.indexOf('/');
	const segment = slash === -1 ? rest : rest.slice(0, slash);
	// <name>@<version> previews that version (names cannot contain @).
	const at = segment.indexOf('@');
	return {
		name: at === -1 ? segment : segment.slice(0, at),
		version: at === -1 ? null : segment.slice(at + 1),
		path: slash === -1 ? '/' : rest.slice(slash),
		prefix: USER_WORKERS_PREFIX + segment
	};
}

export async function dispatchToUserWorker(
	request: Request,
	url: URL,
	platform: Platform,
	{ name, version, path, prefix }: DispatchTarget = pathTarget(url)
): Promise<Response> {
	if (name === '')
		return platformErrorPage(404, 'No Worker named', 'Worker URLs look like /user-workers/<name>/ or <name>.<platform host>.');
	// A name that breaks the naming rules cannot have been uploaded: no registry read needed.
	const record = workerNameProblem(name) ? null : await platform.registry.lookup(name);
	if (!record) return notFound(name);
	let script: ScriptRef = record;
	if (version !== null) {
		const preview = await previewOf(record, version, platform);
		if (preview instanceof Response) return preview;
		script = preview;
	}
	// A GET or HEAD of one of the version's static assets is answered without running its code.
	if (script.assets) {
		const asset = await serveVersionAsset(platform.assets, script, request, path);
		if (asset) return hardenUserResponse(asset, { ownOrigin: prefix === null });
	}

	const headers = userWorkerRequestHeaders(request.headers, platform.config);
	if (prefix !== null) headers.set('x-forwarded-prefix', prefix);
	// The id that ties the request's log entries together (src/lib/server/logs/): the caller's own value is replaced.
	const requestId = crypto.randomUUID();
	headers.set(REQUEST_ID_HEADER, requestId);
	const forwarded = new Request(url.origin + path + url.search, {
		method: request.method,
		headers,
		body: request.body,
		redirect: 'manual'
	});

	// Waits for the response head only: a Worker that streams for a long time is not cut off.
	const abort = new AbortController();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<'timeout'>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), platform.config.dispatchTimeoutMs);
	});
	const startedAt = Date.now();
	try {
		const outcome = await Promise.race([platform.backend.fetch(script, forwarded, abort.signal), timeout]);
		if (outcome === 'timeout') {
			abort.abort();
			// The runtime does not know the platform gave up: its log gets the request line with outcome `timeout`.
			await platform.logRecorder
				.recordTimeout(script.scriptId, { requestId, method: request.method, path, startedAt, waitedMs: Date.now() - startedAt })
				.catch((error) => console.error('could not record a timeout:', error));
			const seconds = platform.config.dispatchTimeoutMs / 1000;
			return platformErrorPage(
				504,
				`Worker "${name}" did not respond`,
				`It did not start answering within ${seconds} s (DISPATCH_TIMEOUT_MS), so the platform stopped waiting.`
			);
		}
		return hardenUserResponse(outcome, { ownOrigin: prefix === null });
	} catch (error) {
		if (error instanceof ScriptMissingError) return notFound(name);
		if (error instanceof RuntimeUnavailableError)
			return platformErrorPage(503, `Worker "${name}" is unavailable`, `${error.message}. Try again in a few seconds.`);
		if (error instanceof LimitExceededError)
			return platformErrorPage(
				503,
				`Worker "${name}" exceeded its ${error.limit === 'cpu' ? 'CPU time' : 'subrequest'} limit`,
				`The runtime stopped it: ${error.message}`
			);
		const message = error instanceof Error ? error.message : String(error);
		return platformErrorPage(502, `Worker "${name}" failed`, `It threw an error instead of returning a response: ${message}`);
	} finally {
		clearTimeout(timer);
	}
}

/** The version `/user-workers/<name>@<version>/` runs, or the 404 page when the Worker has no such version. */
async function previewOf(record: StoredWorker, version: string, platform: Platform): Promise<ScriptRef | Response> {
	const number = /^[1-9]\d{0,8}$/.test(version) ? Number(version) : null;
	if (number === record.version) return record;
	const info = number === null ? null : await platform.versions.get(record.scriptId, number);
	if (!info)
		return platformErrorPage(404, 'No such version', `Worker "${record.name}" has no version ${JSON.stringify(version)}.`);
	const { sha256, compatibilityDate } = info;
	const assets = (await platform.assets.manifest(record.scriptId, info.version)) !== null;
	return { scriptId: record.scriptId, version: info.version, sha256, compatibilityDate, settings: record.settings, preview: true, assets };
}

function notFound(name: string): Response {
	return platformErrorPage(404, 'No such Worker', `No Worker is named "${name}" on this platform.`);
}
