// The dispatch path: /user-workers/<name>/<path> -> that user Worker. src/worker.ts (and, under
// `vite dev`, hooks.server.ts) hands every request here first; anything that is not the platform's own
// returns undefined and goes on to SvelteKit's routes.
import { withoutPlatformCredentials } from './auth';
import { INTERNAL_HEADER_PREFIX, type ScriptRef } from './backend';
import { LimitExceededError, RuntimeUnavailableError, ScriptMissingError } from './errors';
import { platformErrorPage } from './pages';
import type { Platform } from './platform';
import type { StoredWorker } from './registry';
import { hardenUserResponse } from './user-response';
import { INTERNAL_PREFIX, USER_WORKERS_PREFIX, isUserWorkerPath } from '$lib/paths';
import { workerNameProblem } from '$lib/worker-name';

export async function interceptPlatformRequest(request: Request, url: URL, platform: Platform): Promise<Response | undefined> {
	const { pathname } = url;
	if (isUserWorkerPath(pathname)) return dispatchToUserWorker(request, url, platform);
	if (pathname.startsWith(INTERNAL_PREFIX)) return platform.backend.serveInternal(request, url);
	return undefined;
}

export async function dispatchToUserWorker(request: Request, url: URL, platform: Platform): Promise<Response> {
	const rest = url.pathname.slice(USER_WORKERS_PREFIX.length);
	const slash = rest.indexOf('/');
	const segment = slash === -1 ? rest : rest.slice(0, slash);
	const path = slash === -1 ? '/' : rest.slice(slash);
	// <name>@<version> previews that version (names cannot contain @).
	const at = segment.indexOf('@');
	const name = at === -1 ? segment : segment.slice(0, at);

	if (name === '')
		return platformErrorPage(404, 'No Worker named', 'Worker URLs look like /user-workers/<name>/.');
	// A name that breaks the naming rules cannot have been uploaded: no registry read needed.
	const record = workerNameProblem(name) ? null : await platform.registry.lookup(name);
	if (!record) return notFound(name);
	let script: ScriptRef = record;
	if (at !== -1) {
		const preview = await previewOf(record, segment.slice(at + 1), platform);
		if (preview instanceof Response) return preview;
		script = preview;
	}

	const headers = withoutPlatformCredentials(request.headers, platform.config);
	for (const key of [...headers.keys()]) if (key.startsWith(INTERNAL_HEADER_PREFIX)) headers.delete(key);
	headers.set('x-forwarded-prefix', USER_WORKERS_PREFIX + segment);
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
	try {
		const outcome = await Promise.race([platform.backend.fetch(script, forwarded, abort.signal), timeout]);
		if (outcome === 'timeout') {
			abort.abort();
			const seconds = platform.config.dispatchTimeoutMs / 1000;
			return platformErrorPage(
				504,
				`Worker "${name}" did not respond`,
				`It did not start answering within ${seconds} s (DISPATCH_TIMEOUT_MS), so the platform stopped waiting.`
			);
		}
		return hardenUserResponse(outcome);
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
	return { scriptId: record.scriptId, version: info.version, sha256, compatibilityDate, settings: record.settings, preview: true };
}

function notFound(name: string): Response {
	return platformErrorPage(404, 'No such Worker', `No Worker is named "${name}" on this platform.`);
}
