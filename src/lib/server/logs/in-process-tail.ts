// The app Worker's Tail Worker entrypoint for user Workers run in its own process (WFP_ISOLATION=off; see
// in-process.ts). Only src/worker.ts imports it (workerd's own module).
import { WorkerEntrypoint } from 'cloudflare:workers';
import { entriesFromTrace } from './entries';
import { platformFor } from '../platform';

/** Each invocation's entries go to the recorder (the store, then live tails) at once: one D1 batch each. */
export class InProcessLogTail extends WorkerEntrypoint<Env, { scriptId: string }> {
	async tail(events: TraceItem[]): Promise<void> {
		const entries = entriesFromTrace(events);
		if (entries.length > 0) await platformFor(this.env).logRecorder.record({ [this.ctx.props.scriptId]: entries });
	}
}
