// The app Worker's Tail Worker entrypoint for user Workers run in its own process (WFP_ISOLATION=off; see
// ../in-process-exports.ts). Only src/worker.ts imports it (workerd's own module).
import { WorkerEntrypoint } from 'cloudflare:workers';
import { entriesFromTrace } from './entries';
import { LOG_FLUSH_MS } from './buffer';
import { platformFor, type Platform } from '../platform';

/**
 * Each invocation's entries join the platform's in-process LogBuffer; the call that finds no flush pending
 * records the whole buffer LOG_FLUSH_MS later (one D1 batch for all the calls until then) and returns at once.
 */
export class InProcessLogTail extends WorkerEntrypoint<Env, { scriptId: string }> {
	async tail(events: TraceItem[]): Promise<void> {
		const entries = entriesFromTrace(events);
		if (entries.length === 0) return;
		const platform = platformFor(this.env);
		if (platform.inProcessLogs.add(this.ctx.props.scriptId, entries)) this.ctx.waitUntil(recordLater(platform));
	}

	/** Records the buffer LOG_FLUSH_MS from now (InProcessExports.flushLater: requests run without a Tail Worker). */
	scheduleFlush(): void {
		this.ctx.waitUntil(recordLater(platformFor(this.env)));
	}
}

async function recordLater(platform: Platform): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS));
	await platform.logRecorder.record(platform.inProcessLogs.take());
}
