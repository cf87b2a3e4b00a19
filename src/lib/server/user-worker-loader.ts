// Loads a user Worker into an isolate through the Worker Loader binding. Shared by the app (in-process
// execution) and the runner process, so both run user code the same way.
import type { ScriptRef } from './backend';

export interface UserWorkerLimits {
	cpuMs: number;
	subRequests: number;
}

/** A version's code and the `env` it runs with (its vars and decrypted secrets). */
export interface LoadableWorker {
	code: string;
	env: Record<string, string>;
}

/**
 * The isolate id of a version with its settings: a new version or a settings change gets a fresh isolate
 * on its very next request, and the code under one id never changes (versions are immutable).
 */
export const loaderId = (script: ScriptRef) => `${script.scriptId}:${script.version}:${script.settings}`;

export function loadUserWorker(
	loader: WorkerLoader,
	script: ScriptRef,
	readWorker: () => Promise<LoadableWorker>,
	limits: UserWorkerLimits,
	/** Where the Worker's own fetch() calls go; by default wherever this process's go. */
	globalOutbound?: Fetcher
): Fetcher {
	const worker = loader.get(loaderId(script), async () => {
		const { code, env } = await readWorker();
		return {
			compatibilityDate: script.compatibilityDate,
			mainModule: 'worker.js',
			modules: { 'worker.js': code },
			// The Worker's own vars and secrets; never the platform's bindings.
			env,
			...(globalOutbound && { globalOutbound })
		};
	});
	return worker.getEntrypoint(undefined, { limits });
}
