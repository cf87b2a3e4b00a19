// The egress bench's Worker (bench/egress.js): one user Worker that makes one subrequest to a loopback echo
// server, loaded through the Worker Loader three times. Under /checked its fetch() leaves as in the runner:
// through an entrypoint like the runner's UserOutbound to the egress proxy, which resolves, checks and pins
// the address. Under /outbound it goes through such an entrypoint that calls workerd's fetch() itself, with
// no proxy (an outbound filter that judges URLs only). Under /direct it uses workerd's own fetch().
import { WorkerEntrypoint } from 'cloudflare:workers';
import { loadUserWorker } from '../src/lib/server/user-worker-loader';
import { fetchThroughEgressProxy } from '../src/lib/net/egress.ts';
import { DEFAULT_LIMITS, HELLO_SCRIPT, oneModule } from './hello-worker.js';

/** @typedef {{ LOADER: WorkerLoader, EGRESS: Fetcher, OUTBOUND: Fetcher, EGRESS_PROXY_URL: string, SECRET: string, CHECKED_URL: string, DIRECT_URL: string }} Env */

/** As the runner's UserOutbound (src/runner/worker.ts). */
export class ThroughEgressProxy extends WorkerEntrypoint {
	/** @param {Request} request */
	fetch(request) {
		const env = /** @type {Env} */ (this.env);
		return fetchThroughEgressProxy(request, env.EGRESS_PROXY_URL, env.SECRET);
	}
}

/** An outbound entrypoint without the proxy. */
export class PlainOutbound extends WorkerEntrypoint {
	/** @param {Request} request */
	fetch(request) {
		return fetch(request);
	}
}

/** @param {string} url */
const subrequestWorker = (url) => `export default { async fetch() { const response = await fetch(${JSON.stringify(url)}); return new Response(await response.text()); } }`;

export default {
	/** @param {Request} request @param {Env} env */
	fetch(request, env) {
		const mode = new URL(request.url).pathname.slice(1);
		const outbound = { checked: env.EGRESS, outbound: env.OUTBOUND, direct: undefined }[mode];
		if (!['checked', 'outbound', 'direct'].includes(mode)) return new Response('/checked, /outbound or /direct', { status: 404 });
		const code = subrequestWorker(mode === 'checked' ? env.CHECKED_URL : env.DIRECT_URL);
		return loadUserWorker(env.LOADER, { ...HELLO_SCRIPT, scriptId: `subrequest-${mode}` }, async () => ({ worker: oneModule(code), env: {} }), DEFAULT_LIMITS, outbound).fetch(request);
	}
};
