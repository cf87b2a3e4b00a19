// The egress bench's Worker (bench/egress.js): one user Worker that makes one subrequest to a loopback echo
// server, loaded through the Worker Loader twice. Under /checked its fetch() leaves as in the runner: through
// an entrypoint like the runner's UserOutbound to the egress proxy, which resolves, checks and pins the address.
// Under /direct it uses workerd's own fetch(), with no check: what the check costs is the difference.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { loadUserWorker } from '../src/lib/server/user-worker-loader';
import { fetchThroughEgressProxy } from '../src/lib/net/egress.ts';
import { DEFAULT_LIMITS, HELLO_SCRIPT } from './hello-worker.js';

/** @typedef {{ LOADER: WorkerLoader, EGRESS: Fetcher, EGRESS_PROXY_URL: string, SECRET: string, CHECKED_URL: string, DIRECT_URL: string }} Env */

/** As the runner's UserOutbound (src/runner/worker.ts). */
export class ThroughEgressProxy extends WorkerEntrypoint {
	/** @param {Request} request */
	fetch(request) {
		const env = /** @type {Env} */ (this.env);
		return fetchThroughEgressProxy(request, env.EGRESS_PROXY_URL, env.SECRET);
	}
}

/** @param {string} url */
const subrequestWorker = (url) => `export default { async fetch() { const response = await fetch(${JSON.stringify(url)}); return new Response(await response.text()); } }`;

export default {
	/** @param {Request} request @param {Env} env */
	fetch(request, env) {
		const checked = new URL(request.url).pathname === '/checked';
		const script = { ...HELLO_SCRIPT, scriptId: checked ? 'subrequest-checked' : 'subrequest-direct' };
		const code = subrequestWorker(checked ? env.CHECKED_URL : env.DIRECT_URL);
		return loadUserWorker(env.LOADER, script, async () => code, DEFAULT_LIMITS, checked ? env.EGRESS : undefined).fetch(request);
	}
};
