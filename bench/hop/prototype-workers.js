// The two Workers the hop prototypes (prototypes.js, shared-socket.js) assemble their designs from, as
// Miniflare worker options: the minimal dispatcher (front-router.js) and the runner Worker
// (src/runner/worker.ts), both speaking to the bench's runner alone's app (its code URL and secret).
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../../scripts/runner.js';
import { RUNNER_HEADERS } from '../../src/lib/server/runner-protocol.ts';

const COMPAT = '2026-08-01';

/** @param {{ headers: Record<string, string> }} runnerAlone the bench's runner alone (startBare({ isolated: true }).runnerAlone) */
export async function prototypeWorkers(runnerAlone) {
	const secret = runnerAlone.headers[RUNNER_HEADERS.secret];
	const codeUrl = new URL(runnerAlone.headers[RUNNER_HEADERS.url]).origin;
	const front = await bundleWorker(fileURLToPath(new URL('./front-router.js', import.meta.url)));
	const runnerScript = await bundleWorker(fileURLToPath(new URL('../../src/runner/worker.ts', import.meta.url)));
	return {
		/** The dispatcher on a direct socket of its own, forwarding to `runner` (a worker name or an external service). */
		frontWorker: (/** @type {unknown} */ runner) => ({
			name: 'front',
			modules: true,
			script: front,
			compatibilityDate: COMPAT,
			bindings: { RUNNER_SECRET: secret },
			serviceBindings: { RUNNER: runner },
			unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }]
		}),
		/** The runner Worker, with a direct socket of its own when `socket`. */
		runnerWorker: (/** @type {boolean} */ socket) => ({
			name: 'runner',
			modules: true,
			script: runnerScript,
			compatibilityDate: COMPAT,
			workerLoaders: { LOADER: {} },
			bindings: {
				CODE_URL: codeUrl,
				RUNNER_SECRET: secret,
				EGRESS_PROXY_URL: 'http://127.0.0.1:9',
				MAX_LOADED_ISOLATES: '200',
				RECORD_LOGS: 'on',
				DISPATCH_TIMEOUT_MS: '10000'
			},
			serviceBindings: { USER_OUTBOUND: { name: 'runner', entrypoint: 'UserOutbound' } },
			...(socket && { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] })
		})
	};
}
