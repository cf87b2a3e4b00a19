// Loads a user Worker into an isolate through the Worker Loader binding. Shared by the app (in-process
// execution) and the runner process, so both run user code the same way.
//
// The isolate's main module is the platform's: it re-exports the user's module (worker.js) as its default
// export and adds an entrypoint through which the runner unloads the isolate. The Worker Loader keeps every
// isolate it loaded under an id until the isolate calls `abortIsolate()` (workerd's WorkerLoaderNamespace),
// so this entrypoint is the one way to give an idle isolate's memory back; the next request loads it again.
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

const USER_MODULE = 'worker.js';
const PLATFORM_MODULE = 'platform-entry.js';
const UNLOAD_ENTRYPOINT = 'PlatformUnload';
const UNLOAD_REASON = 'unloaded by the platform (least recently used)';
const PLATFORM_ENTRY = `import { WorkerEntrypoint, abortIsolate } from 'cloudflare:workers';
export { default } from './${USER_MODULE}';
export class ${UNLOAD_ENTRYPOINT} extends WorkerEntrypoint {
	unload() { abortIsolate(${JSON.stringify(UNLOAD_REASON)}); }
}
`;

/**
 * The isolate id of a version with its settings: a new version or a settings change gets a fresh isolate
 * on its very next request, and the code under one id never changes (versions are immutable).
 */
export const isolateId = (script: ScriptRef) => `${script.scriptId}:${script.version}:${script.settings}`;

function load(
	loader: WorkerLoader,
	script: ScriptRef,
	readWorker: () => Promise<LoadableWorker>,
	globalOutbound: Fetcher | undefined,
	tails: Fetcher[] = [],
	assets?: Fetcher
): WorkerStub {
	return loader.get(isolateId(script), async () => {
		const { code, env } = await readWorker();
		return {
			compatibilityDate: script.compatibilityDate,
			mainModule: PLATFORM_MODULE,
			modules: { [PLATFORM_MODULE]: PLATFORM_ENTRY, [USER_MODULE]: code },
			// The Worker's own vars and secrets, and ASSETS for a version with static assets; never the platform's bindings.
			env: assets ? { ...env, ASSETS: assets } : env,
			...(globalOutbound && { globalOutbound }),
			// The Tail Workers that receive each invocation's console lines, exceptions and outcome (logs).
			...(tails.length > 0 && { tails })
		};
	});
}

export function loadUserWorker(
	loader: WorkerLoader,
	script: ScriptRef,
	readWorker: () => Promise<LoadableWorker>,
	limits: UserWorkerLimits,
	/** Where the Worker's own fetch() calls go; by default wherever this process's go. */
	globalOutbound?: Fetcher,
	/** Tail Workers for its trace events (used when the isolate loads). */
	tails?: Fetcher[],
	/** Its ASSETS binding: the version's static assets (used when the isolate loads). */
	assets?: Fetcher
): Fetcher {
	return load(loader, script, readWorker, globalOutbound, tails, assets).getEntrypoint(undefined, { limits });
}

/**
 * Unloads the script version's isolate: the Worker Loader forgets it and frees it once no request uses it,
 * and its next request loads it again. Requests already running in it finish. (Were it not loaded, this
 * loads it with `readWorker` first, so the id never stands for anything but the version's own code.)
 */
export async function unloadUserWorker(
	loader: WorkerLoader,
	script: ScriptRef,
	readWorker: () => Promise<LoadableWorker>,
	globalOutbound?: Fetcher
): Promise<void> {
	const control = load(loader, script, readWorker, globalOutbound).getEntrypoint(UNLOAD_ENTRYPOINT) as unknown as {
		unload(): Promise<void>;
	};
	// abortIsolate() ends the call itself with an internal error: that is the isolate going away.
	await control.unload().catch(() => {});
}
