// The reference dispatcher: Cloudflare's original Workers for Platforms example, reduced to its design.
// A plain Worker fetch handler that reads the name -> script mapping from KV on every request and hands
// the request to the same execution backend the platform's local backend uses: the Worker Loader in this
// process, or (RUNNER_URL set) the supervised runner process over loopback, with the runner's protocol.
import { loadUserWorker } from '../src/lib/server/user-worker-loader';
import { RUNNER_CODE_PATH, RUNNER_HEADERS, RUNNER_RUN_PATH } from '../src/lib/server/runner-protocol';
import { DEFAULT_LIMITS, oneModule } from './hello-worker.js';

const PREFIX = '/user-workers/';

export default {
	/** @param {Request} request @param {{ MAPPINGS: KVNamespace, LOADER: WorkerLoader, RUNNER_URL?: string, RUNNER_SECRET?: string }} env */
	async fetch(request, env) {
		const url = new URL(request.url);
		// The runner pulls a version's code and env from its owner on first use (<scriptId>/<version>).
		if (url.pathname.startsWith(RUNNER_CODE_PATH)) {
			if (request.headers.get(RUNNER_HEADERS.secret) !== env.RUNNER_SECRET) return new Response('forbidden', { status: 403 });
			const [scriptId] = url.pathname.slice(RUNNER_CODE_PATH.length).split('/').map(decodeURIComponent);
			const code = await env.MAPPINGS.get('script:' + scriptId);
			return code === null ? new Response('no such script', { status: 404 }) : Response.json({ worker: oneModule(code), env: {} });
		}
		if (!url.pathname.startsWith(PREFIX)) return new Response('not found', { status: 404 });
		const rest = url.pathname.slice(PREFIX.length);
		const slash = rest.indexOf('/');
		const name = slash === -1 ? rest : rest.slice(0, slash);
		/** @type {import('../src/lib/server/backend').ScriptRef | null} */
		const script = await env.MAPPINGS.get(name, 'json');
		if (!script) return new Response('no such Worker', { status: 404 });
		const target = url.origin + (slash === -1 ? '/' : rest.slice(slash)) + url.search;

		if (!env.RUNNER_URL) {
			const readWorker = async () => ({ worker: oneModule(/** @type {string} */ (await env.MAPPINGS.get('script:' + script.scriptId))), env: {} });
			return loadUserWorker(env.LOADER, script, readWorker, DEFAULT_LIMITS).fetch(new Request(target, request));
		}
		const headers = new Headers(request.headers);
		headers.set(RUNNER_HEADERS.secret, /** @type {string} */ (env.RUNNER_SECRET));
		headers.set(RUNNER_HEADERS.script, JSON.stringify(script));
		headers.set(RUNNER_HEADERS.limits, JSON.stringify(DEFAULT_LIMITS));
		headers.set(RUNNER_HEADERS.url, target);
		return fetch(env.RUNNER_URL + RUNNER_RUN_PATH, { method: request.method, headers, body: request.body, redirect: 'manual' });
	}
};
