// The runner: a Worker, in its own workerd process supervised by scripts/runner.js, that runs user
// Workers for the local backend. The app sends it requests over loopback; it pulls code from the app on
// first use of each version (code and env). If a user Worker hangs this process, only this process is restarted.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { loadUserWorker, type LoadableWorker, type UserWorkerLimits } from '../lib/server/user-worker-loader';
import type { ScriptRef } from '../lib/server/backend';
import { INTERNAL_HEADER_PREFIX } from '../lib/server/backend';
import { RUNNER_CODE_PATH, RUNNER_HEADERS, RUNNER_HEALTH_PATH, RUNNER_RUN_PATH } from '../lib/server/runner-protocol';
import { safeEqual } from '../lib/server/secrets';

interface RunnerEnv {
	LOADER: WorkerLoader;
	/** Origin of the app that owns the scripts. */
	CODE_URL: string;
	RUNNER_SECRET: string;
	/** This Worker's UserOutbound entrypoint (a service binding to itself, scripts/runner.js). */
	USER_OUTBOUND: Fetcher;
}

/**
 * Whether `url` points at this machine or a private network: the platform and the runner listen on
 * loopback (any port), and on Cloudflare user Workers cannot reach private networks either. Names that
 * resolve to such addresses are not caught (SECURITY.md).
 */
function isPrivateAddress(url: URL, platformHost: string): boolean {
	const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
	if (host === platformHost || host === 'localhost' || host.endsWith('.localhost')) return true;
	// The URL parser writes every IPv4 form (decimal, hex, short) as a.b.c.d.
	const ipv4 = host.match(/^(\d+)\.(\d+)\.\d+\.\d+$/);
	if (ipv4) {
		const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
		return (
			a === 0 ||
			a === 10 ||
			a === 127 ||
			(a === 100 && b >= 64 && b <= 127) ||
			(a === 169 && b === 254) ||
			(a === 172 && b >= 16 && b <= 31) ||
			(a === 192 && b === 168)
		);
	}
	// IPv6: unspecified, loopback, unique-local, link-local, and IPv4-mapped (which could hide any of the above).
	return host.includes(':') && (host === '::' || host === '::1' || /^(f[cd]|fe[89ab])/.test(host) || host.startsWith('::ffff:'));
}

/** The network as user Workers see it: the internet, not the platform, the runner or private networks. */
export class UserOutbound extends WorkerEntrypoint<RunnerEnv> {
	async fetch(request: Request): Promise<Response> {
		if (isPrivateAddress(new URL(request.url), new URL(this.env.CODE_URL).hostname))
			return new Response('user Workers may not call the platform, its runner or private networks (see SECURITY.md)', {
				status: 403
			});
		return fetch(request);
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
		const readWorker = async (): Promise<LoadableWorker> => {
			const path = `${encodeURIComponent(script.scriptId)}/${script.version}`;
			const response = await fetch(env.CODE_URL + RUNNER_CODE_PATH + path, {
				headers: { [RUNNER_HEADERS.secret]: env.RUNNER_SECRET }
			});
			if (response.status === 404) missing = true;
			if (!response.ok) throw new Error(`could not load script ${script.scriptId} version ${script.version}: HTTP ${response.status}`);
			return response.json();
		};
		try {
			return await loadUserWorker(env.LOADER, script, readWorker, limits, env.USER_OUTBOUND).fetch(forwarded);
		} catch (error) {
			return failure(missing ? 404 : 500, error instanceof Error ? error.message : String(error));
		}
	}
};
