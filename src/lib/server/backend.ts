// The one interface both execution backends implement. Code above it (the platform service, the
// router, the dispatcher) never asks which backend it has.
import type { RunnableWorker } from './modules/kinds';

/** Identifies one version of a user Worker, with the settings it runs with. */
export interface ScriptRef {
	scriptId: string;
	/** The version's number; its code is immutable (src/lib/server/versions/store.ts). */
	version: number;
	sha256: string;
	compatibilityDate: string;
	/** The customer that owns it (null or absent: the operator), e.g. for the backend's script tags. */
	customerId?: string | null;
	/** The owner's per-request limits; absent: the platform's defaults. */
	limits?: { cpuMs: number; subRequests: number };
	/** Fingerprint of the Worker's vars and secrets: a change loads the Worker afresh on its next request. */
	settings: string;
	/** A version that is not (necessarily) the serving one, run through its preview URL. */
	preview?: boolean;
}

/** The Worker's modules and settings as a backend reads them when it needs to load or upload a version. */
export interface ScriptSource {
	/** A version's modules as they run; null once they have been removed. */
	worker(scriptId: string, version: number): Promise<RunnableWorker | null>;
	/** The Worker's vars and decrypted secrets. */
	settings(scriptId: string): Promise<{ vars: Record<string, string>; secrets: Record<string, string> }>;
}

export interface WorkerBackend {
	/**
	 * Makes `script` the serving version of `script.scriptId` with these vars (its modules are `worker`;
	 * secrets set before stay). Throws InputError if the backend rejects it.
	 */
	deploy(script: ScriptRef, worker: RunnableWorker, vars: Record<string, string>): Promise<void>;
	/** Sets (or, for null, deletes) secrets of the serving script. */
	updateSecrets(script: ScriptRef, secrets: Record<string, string | null>): Promise<void>;
	/** Deletes the serving script and the previews of `versions`; what is already gone is not an error. */
	remove(scriptId: string, versions: readonly number[]): Promise<void>;
	/** Deletes the previews of `versions` (pruned by retention). */
	removePreviews(scriptId: string, versions: readonly number[]): Promise<void>;
	/** Deletes every script the backend holds for a customer (after its Workers were removed one by one). */
	removeOwnedBy(customerId: string): Promise<void>;
	/**
	 * Runs `request` on the script. Throws ScriptMissingError when the backend has no such script and
	 * any other error when the Worker failed; `signal` aborts when the dispatcher stops waiting.
	 */
	fetch(script: ScriptRef, request: Request, signal: AbortSignal): Promise<Response>;
	/** Serves the backend's own endpoints under /__platform/; `undefined` for any other path. */
	serveInternal(request: Request, url: URL): Promise<Response | undefined>;
}

/** Request headers that carry the platform's own instructions between its processes. */
export const INTERNAL_HEADER_PREFIX = 'x-wfp-';
