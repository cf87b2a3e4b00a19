// The one user Worker every benchmark target serves, and the script record the dispatchers run it as.
// Imported both by Node (bench/targets.js) and by the bundled bench Workers.
import { DEFAULTS } from '../src/lib/server/config.ts';

export const HELLO_WORLD = `export default { fetch: () => new Response('Hello World!') }`;
export const HELLO_SCRIPT = {
	scriptId: 'hello-id',
	version: 1,
	sha256: 'hello-v1',
	compatibilityDate: DEFAULTS.compatibilityDate,
	settings: 'none'
};
/** The per-request limits the platform passes by default. */
export const DEFAULT_LIMITS = { cpuMs: DEFAULTS.cpuMs, subRequests: DEFAULTS.subRequests };

/** `code` as the runtime loads a Worker: one ES module (src/lib/server/modules/kinds.ts, RunnableWorker). */
export const oneModule = (/** @type {string} */ code) => ({ mainModule: 'worker.js', modules: { 'worker.js': { kind: /** @type {const} */ ('esm'), source: code } } });
