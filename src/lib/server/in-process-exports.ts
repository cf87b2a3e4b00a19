// What user Workers run in the app's own process (WFP_ISOLATION=off: the LOADER binding, no runners) reach
// through the app Worker's own entrypoints, as the runners' user Workers reach the runner's: the Tail Worker
// that records their logs (src/worker.ts exports InProcessLogTail, logs/in-process-tail.ts, as `LogTail`) and
// the ASSETS binding of a version with static assets (InProcessAssets, assets/in-process-assets.ts, as
// `UserAssets`), each bound through `ctx.exports` with props naming the Worker. This file imports nothing of
// workerd's, so `vite dev` (Node) can load the platform.
import type { ScriptRef } from './backend';

type AppExports = {
	LogTail(options: { props: { scriptId: string } }): Fetcher & { scheduleFlush(): Promise<void> };
	UserAssets(options: { props: { scriptId: string; version: number } }): Fetcher;
};

/**
 * The app Worker's `ctx.exports`, kept from the first request that passes it on (the same object for
 * every request of the isolate): one slot, owned by the platform. Until a request has passed it on (or
 * under `vite dev`, which has no exports), isolates load without a Tail Worker or an ASSETS binding.
 */
export class InProcessExports {
	#exports: AppExports | null = null;

	remember(exports: unknown): void {
		const candidate = exports as Partial<AppExports> | null;
		if (!this.#exports && candidate && typeof candidate.LogTail === 'function' && typeof candidate.UserAssets === 'function')
			this.#exports = candidate as AppExports;
	}

	/** The Tail Workers of the Worker `scriptId`: this app's LogTail entrypoint with its script id. */
	tails(scriptId: string): Fetcher[] {
		return this.#exports ? [this.#exports.LogTail({ props: { scriptId } })] : [];
	}

	/** The ASSETS binding of `script`'s version: this app's UserAssets entrypoint naming it. */
	assets(script: ScriptRef): Fetcher | undefined {
		return this.#exports?.UserAssets({ props: { scriptId: script.scriptId, version: script.version } });
	}

	/**
	 * Has the LogTail entrypoint record the in-process LogBuffer LOG_FLUSH_MS from now, in a call of its own
	 * (its waitUntil outlives the request that asks, which waits only for the call to be taken): for requests
	 * counted without a Tail Worker call. Rejects when it cannot (no exports yet, or the call failed).
	 */
	async flushLater(): Promise<void> {
		if (!this.#exports) throw new Error('the app has not passed on its exports yet');
		await this.#exports.LogTail({ props: { scriptId: '' } }).scheduleFlush();
	}
}
