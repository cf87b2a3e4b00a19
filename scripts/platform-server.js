// Serves the built platform Worker in workerd, configured from wrangler.jsonc: what `npm start` runs.
//
// It runs the bundle `wrangler deploy` ships (scripts/build-worker.js writes it) through Miniflare, the
// runtime wrangler itself uses, rather than `wrangler dev`: wrangler dev puts a hot-reload proxy workerd and
// per-request work in its Node process in front of every request, which a server for a built app does not
// need (bench/: the dispatch path's throughput more than doubles without them). State is kept where
// `wrangler dev` keeps it (<state dir>/v3), so `wrangler kv ... --local` still reads it.
//
// Clients reach the platform Worker on a socket of its own (Miniflare's unsafeDirectSockets), not through
// Miniflare's entry Worker: that one is a JavaScript Worker of its own in front of every request (it
// rebuilds each request and response to emulate Cloudflare's edge), which costs the app process about as
// much as the dispatcher's own work (bench/results-hop.md). What of the edge the app needs, choosing the
// response's encoding, the platform Worker does itself (NEGOTIATE_ENCODING, src/worker.ts). Miniflare's
// own entry socket listens on an ephemeral loopback port that nothing uses.
//
// Static assets are served the way Cloudflare serves them with `run_worker_first`: every request reaches the
// platform Worker, and SvelteKit's worker fetches its files through the ASSETS binding. Locally this keeps
// Miniflare's asset router (a JavaScript Worker of its own) off the dispatch path.
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { applyMigrations } from './migrations.js';

export const WORKER_BUNDLE_DIR = fileURLToPath(new URL('../.svelte-kit/platform-worker', import.meta.url));
const CONFIG = fileURLToPath(new URL('../wrangler.jsonc', import.meta.url));
const PLATFORM_WORKER = 'workers-platform';
const ASSETS_WORKER = 'workers-platform-assets';
/** The runners' bindings are named this plus their index (src/lib/server/backends/local.ts reads them). */
const RUNNER_BINDING_PREFIX = 'RUNNER_';

/**
 * @param {{ port: number, host: string, stateDir?: string, vars?: Record<string, string>, runners?: string[], inspectorPort?: number }} options
 *   `stateDir` unset keeps state in a temporary folder removed on stop; `vars` are added to wrangler.jsonc's
 *   vars (settings and secrets); `runners`: the runner processes' origins, in RUNNER_URL's order, bound as
 *   RUNNER_0, RUNNER_1, … (see below). The D1 migrations are applied to the state before the platform starts.
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startPlatformServer({ port, host, stateDir, vars = {}, runners = [], inspectorPort }) {
	const bundle = join(WORKER_BUNDLE_DIR, 'worker.js');
	if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first (\`npm start\` does)`);
	const temporaryState = stateDir ? null : mkdtempSync(join(tmpdir(), 'wfp-state-'));
	const persistTo = stateDir ?? /** @type {string} */ (temporaryState);
	await applyMigrations(persistTo);
	const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
	// modulesRules and rootPath describe wrangler's bundling, which scripts/build-worker.js already did.
	const { assets, modulesRules, rootPath, ...platform } = workerOptions;
	if (!assets?.binding) throw new Error('wrangler.jsonc must give its assets a binding (SvelteKit reads its files through it)');

	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: '127.0.0.1',
			port: 0,
			inspectorPort,
			// The placeholder Request.cf object: no download of Cloudflare's (offline, it fails with a warning).
			cf: false,
			log: new Log(LogLevel.WARN),
			resourcePersistencePath: join(persistTo, 'v3'),
			workers: [
				{
					...platform,
					name: PLATFORM_WORKER,
					modules: true,
					scriptPath: bundle,
					bindings: { ...platform.bindings, ...vars, NEGOTIATE_ENCODING: 'on' },
					unsafeDirectSockets: [{ host, port }],
					serviceBindings: {
						...platform.serviceBindings,
						[assets.binding]: ASSETS_WORKER,
						// Each runner as an external service: requests to it go straight to its socket, where a global
						// fetch() would first pass through Miniflare's outbound Worker (one more isolate per request).
						...Object.fromEntries(
							runners.map((origin, i) => [`${RUNNER_BINDING_PREFIX}${i}`, { external: { address: new URL(origin).host, http: {} } }])
						)
					}
				},
				{
					name: ASSETS_WORKER,
					modules: true,
					script: 'export default {}',
					compatibilityDate: platform.compatibilityDate,
					assets: { directory: assets.directory, assetConfig: assets.assetConfig, routerConfig: { has_user_worker: false } }
				}
			]
		})
	);
	await mf.ready;
	const url = (await mf.unsafeGetDirectURL(PLATFORM_WORKER)).origin;
	return {
		url,
		async stop() {
			await mf.dispose();
			if (temporaryState) rmSync(temporaryState, { recursive: true, force: true });
		}
	};
}
