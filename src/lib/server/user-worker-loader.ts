// Loads a user Worker into an isolate through the Worker Loader binding. Shared by the app (in-process
// execution) and the runner process, so both run user code the same way.
import type { ScriptRef } from './backend';

export interface UserWorkerLimits {
	cpuMs: number;
	subRequests: number;
}

export function loadUserWorker(
	loader: WorkerLoader,
	script: ScriptRef,
	readCode: () => Promise<string>,
	limits: UserWorkerLimits,
	/** Where the Worker's own fetch() calls go; by default wherever this process's go. */
	globalOutbound?: Fetcher
): Fetcher {
	// The id changes with the code, so a re-upload gets a fresh isolate on its very next request.
	const id = `${script.scriptId}:${script.sha256}`;
	const worker = loader.get(id, async () => ({
		compatibilityDate: script.compatibilityDate,
		mainModule: 'worker.js',
		modules: { 'worker.js': await readCode() },
		// User Workers get no platform bindings or secrets.
		env: {},
		...(globalOutbound && { globalOutbound })
	}));
	return worker.getEntrypoint(undefined, { limits });
}
