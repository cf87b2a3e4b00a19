// The floor of in-process dispatch: no dispatcher, only the Worker Loader call that every dispatcher on the
// local backend ends with, for the one fixed script. Nothing is looked up or checked.
import { loadUserWorker } from '../src/lib/server/user-worker-loader';
import { DEFAULT_LIMITS, HELLO_SCRIPT, HELLO_WORLD, oneModule } from './hello-worker.js';

export default {
	/** @param {Request} request @param {{ LOADER: WorkerLoader }} env */
	fetch(request, env) {
		return loadUserWorker(env.LOADER, HELLO_SCRIPT, async () => ({ worker: oneModule(HELLO_WORLD), env: {} }), DEFAULT_LIMITS).fetch(request);
	}
};
