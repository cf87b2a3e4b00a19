// The runner: a Worker, in its own workerd process supervised by scripts/runner.js, that runs user
// Workers for the local backend. The app sends it requests over loopback; it pulls code from the app on
// first use of each script version. If a user Worker hangs this process, only this process is restarted.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { loadUserWorker, type UserWorkerLimits } from '../lib/server/user-worker-loader';
import type { ScriptRef } from '../lib/server/backend';
import { INTERNAL_HEADER_PREFIX } from '../lib/server/backend';
import { RUNNER_CODE_PATH, RUNNER_HEADERS, RUNNER_HEALTH_PATH, RUNNER_RUN_PATH } from '../lib/server/runner-protocol';
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

/** URI-encoded: an error message may hold characters a header cannot (line breaks, unicode). */
function failure(status: number, message: string): Response {
	return new Response(null, { status, headers: { [RUNNER_HEADERS.error]: encodeURIComponent(message.slice(0, 2000)) } });
}

export default {
	async fetch(request: Request, env: RunnerEnv): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === RUNNER_HEALTH_PATH) return new Response('ok');
		const secret = request.headers.get(RUNNER_HEADERS.secret);
		if (url.pathname !== RUNNER_RUN_PATH || !secret || !safeEqual(secret, env.RUNNER_SECRET))
			return new Response('forbidden', { status: 403 });

		const script: ScriptRef = JSON.parse(request.headers.get(RUNNER_HEADERS.script)!);
		const limits: UserWorkerLimits = JSON.parse(request.headers.get(RUNNER_HEADERS.limits)!);
		const headers = new Headers();
		for (const [name, value] of request.headers) if (!name.startsWith(INTERNAL_HEADER_PREFIX)) headers.append(name, value);
		const acceptEncoding = request.headers.get(RUNNER_HEADERS.acceptEncoding);
		if (acceptEncoding === null) headers.delete('accept-encoding');
		else headers.set('accept-encoding', acceptEncoding);
		const forwarded = new Request(request.headers.get(RUNNER_HEADERS.url)!, {
			method: request.method,
			headers,
			body: request.body,
			redirect: 'manual'
		});

		let missing = false;
		const readCode = async () => {
			const response = await fetch(env.CODE_URL + RUNNER_CODE_PATH + encodeURIComponent(script.scriptId), {
				headers: { [RUNNER_HEADERS.secret]: env.RUNNER_SECRET }
			});
			if (response.status === 404) missing = true;
			if (!response.ok) throw new Error(`could not load script ${script.scriptId}: HTTP ${response.status}`);
			return response.text();
		};
		try {
			// The Worker's own x-wfp-* headers go, so that only failure() can report a failure to the app.
			return withoutInternalHeaders(await loadUserWorker(env.LOADER, script, readCode, limits, env.USER_OUTBOUND).fetch(forwarded));
		} catch (error) {
			return failure(missing ? 404 : 500, error instanceof Error ? error.message : String(error));
		}
	}
};
