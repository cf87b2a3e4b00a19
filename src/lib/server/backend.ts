// The one interface both execution backends implement. Code above it (the platform service, the
// router, the dispatcher) never asks which backend it has.

/** Identifies one deployed version of a user Worker's script. */
export interface ScriptRef {
	scriptId: string;
	sha256: string;
	compatibilityDate: string;
	/** The customer that owns it (null or absent: the operator), e.g. for the backend's script tags. */
	customerId?: string | null;
	/** The owner's per-request limits; absent: the platform's defaults. */
	limits?: { cpuMs: number; subRequests: number };
}

export interface WorkerBackend {
	/** Makes `code` the running version of `script.scriptId`. Throws InputError if the backend rejects it. */
	deploy(script: ScriptRef, code: string): Promise<void>;
	/** The deployed source. */
	source(script: ScriptRef): Promise<string>;
	/** Deletes the script; a script that is already gone is not an error. */
	remove(script: ScriptRef): Promise<void>;
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
