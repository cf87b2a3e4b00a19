// Log collection when user Workers run in the app's own process (WFP_ISOLATION=off: the LOADER binding,
// no runners). The app Worker exports the same kind of Tail Worker entrypoint the runner has
// (src/worker.ts exports InProcessLogTail, in-process-tail.ts, as `LogTail`), bound per Worker through
// `ctx.exports` with the Worker's script id as props; the local backend names it in each loaded isolate's
// `tails`. This file imports nothing of workerd's, so `vite dev` (Node) can load the platform.

type LogTailExports = { LogTail(options: { props: { scriptId: string } }): Fetcher & { scheduleFlush(): Promise<void> } };

/**
 * The app Worker's `ctx.exports`, kept from the first request that passes it on (the same object for
 * every request of the isolate): one slot, owned by the platform. Until a request has passed it on (or
 * under `vite dev`, which has no exports), isolates load without a Tail Worker.
 */
export class InProcessTails {
	#exports: LogTailExports | null = null;

	remember(exports: unknown): void {
		if (!this.#exports && exports && typeof (exports as Partial<LogTailExports>).LogTail === 'function') this.#exports = exports as LogTailExports;
	}

	/** The Tail Workers of the Worker `scriptId`: this app's LogTail entrypoint with its script id. */
	for(scriptId: string): Fetcher[] {
		return this.#exports ? [this.#exports.LogTail({ props: { scriptId } })] : [];
	}

	/**
	 * Has the LogTail entrypoint record the in-process LogBuffer LOG_FLUSH_MS from now, in a call of its own
	 * (its waitUntil outlives the request that asks, which waits only for the call to be taken): for requests
	 * counted without a Tail Worker call.
	 */
	async flushLater(): Promise<void> {
		await this.#exports
			?.LogTail({ props: { scriptId: '' } })
			.scheduleFlush()
			.catch((error: unknown) => console.error('could not schedule the in-process log flush:', error));
	}
}
