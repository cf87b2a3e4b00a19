// The floor of in-process dispatch: no dispatcher, only the Worker Loader call that every dispatcher on the
// local backend ends with, for one fixed script whose code is a binding. Nothing is looked up or checked.
import { loadUserWorker } from '../src/lib/server/user-worker-loader';
import { DEFAULTS } from '../src/lib/server/config';

const SCRIPT = { scriptId: 'hello-id', sha256: 'hello-v1', compatibilityDate: DEFAULTS.compatibilityDate };
const LIMITS = { cpuMs: DEFAULTS.cpuMs, subRequests: DEFAULTS.subRequests };

export default {
	/** @param {Request} request @param {{ LOADER: WorkerLoader, CODE: string }} env */
	fetch(request, env) {
		return loadUserWorker(env.LOADER, SCRIPT, async () => env.CODE, LIMITS).fetch(request);
	}
};
