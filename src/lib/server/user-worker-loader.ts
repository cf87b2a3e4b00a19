// Loads a user Worker into an isolate through the Worker Loader binding. Shared by the app (in-process
// execution) and the runner process, so both run user code the same way.
//
// The isolate's main module is the platform's: it re-exports the user's main module as its default export
// and adds an entrypoint through which the runner unloads the isolate; the user's modules sit beside it,
// each as the Worker Loader's object for its kind. The Worker Loader keeps every
// isolate it loaded under an id until the isolate calls `abortIsolate()` (workerd's WorkerLoaderNamespace),
// so this entrypoint is the one way to give an idle isolate's memory back; the next request loads it again.
import type { ScriptRef } from './backend';
import { fromBase64, type RunnableWorker } from './modules/kinds';

export interface UserWorkerLimits {
	cpuMs: number;
	subRequests: number;
}

/** A version's modules and the `env` it runs with (its vars and decrypted secrets). */
export interface LoadableWorker {
	worker: RunnableWorker;
	env: Record<string, string>;
}

/** Its name starts with the prefix user modules may not have (RESERVED_MODULE_PREFIX, modules/bundle.ts). */
const PLATFORM_MODULE = '__wfp-entry.js';
const UNLOAD_ENTRYPOINT = 'PlatformUnload';
const UNLOAD_REASON = 'unloaded by the platform (least recently used)';
const platformEntry = (mainModule: string) => `import { WorkerEntrypoint, abortIsolate } from 'cloudflare:workers';
export { default } from ${JSON.stringify('./' + mainModule)};
export class ${UNLOAD_ENTRYPOINT} extends WorkerEntrypoint {
	unload() { abortIsolate(${JSON.stringify(UNLOAD_REASON)}); }
}
`;

/** The Worker Loader's `modules`: the platform's entry and each user module as the object for its kind. */
function loaderModules({ mainModule, modules }: RunnableWorker): WorkerLoaderWorkerCode['modules'] {
	const loaded: WorkerLoaderWorkerCode['modules'] = { [PLATFORM_MODULE]: platformEntry(mainModule) };
	for (const [name, { kind, source }] of Object.entries(modules)) {
		if (kind === 'esm') loaded[name] = { js: source };
		else if (kind === 'commonjs') loaded[name] = { cjs: source };
		else if (kind === 'text') loaded[name] = { text: source };
		else if (kind === 'json') loaded[name] = { json: JSON.parse(source) };
		else if (kind === 'data') loaded[name] = { data: fromBase64(source).buffer };
		else loaded[name] = { wasm: fromBase64(source) };
	}
	return loaded;
}

/**
 * The isolate id of a version with its settings: a new version or a settings change gets a fresh isolate
 * on its very next request, and the code under one id never changes (versions are immutable). A version
 * has two: with its Tail Workers (recorded invocations) and without (logs off, or its Worker over its log
 * rate: logs/buffer.ts, runSampled).
 */
export const isolateId = (script: ScriptRef, withTails: boolean) => `${script.scriptId}:${script.version}:${script.settings}${withTails ? '' : ':untailed'}`;

/** What an isolate gets from the platform besides its code and env; made only when the isolate loads. */
export interface IsolateBindings {
	/** Tail Workers for its trace events (logs); asked for only for the isolate with tails. */
	tails?: () => Fetcher[];
	/** Its ASSETS binding: the version's static assets. */
	assets?: Fetcher;
}

function load(
	loader: WorkerLoader,
	script: ScriptRef,
	readWorker: () => Promise<LoadableWorker>,
	globalOutbound: Fetcher | undefined,
	withTails: boolean,
	bindings?: () => IsolateBindings
): WorkerStub {
	return loader.get(isolateId(script, withTails), async () => {
		const { worker, env } = await readWorker();
		const { tails: tailsOf, assets } = bindings?.() ?? {};
		const tails = withTails && tailsOf ? tailsOf() : [];
		return {
			compatibilityDate: script.compatibilityDate,
			mainModule: PLATFORM_MODULE,
			modules: loaderModules(worker),
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
	/** Its Tail Workers and ASSETS binding, asked for only when the isolate loads (not on every request). */
	bindings?: () => IsolateBindings,
	/** Whether to run it in its isolate with Tail Workers (a recorded invocation) or the one without. */
	withTails = true
): Fetcher {
	return load(loader, script, readWorker, globalOutbound, withTails, bindings).getEntrypoint(undefined, { limits });
}

/**
 * Unloads one of the script version's isolates (with or without tails): the Worker Loader forgets it and frees it once no request uses it,
 * and its next request loads it again. Requests already running in it finish. (Were it not loaded, this
 * loads it with `readWorker` first, so the id never stands for anything but the version's own code.)
 */
export async function unloadUserWorker(
	loader: WorkerLoader,
	script: ScriptRef,
	readWorker: () => Promise<LoadableWorker>,
	globalOutbound: Fetcher | undefined,
	withTails: boolean
): Promise<void> {
	const control = load(loader, script, readWorker, globalOutbound, withTails).getEntrypoint(UNLOAD_ENTRYPOINT) as unknown as {
		unload(): Promise<void>;
	};
	// abortIsolate() ends the call itself with an internal error: that is the isolate going away.
	await control.unload().catch(() => {});
}
