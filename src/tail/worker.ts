// The platform's Tail Worker on Cloudflare (PLATFORM_BACKEND=cloudflare): every user script the platform
// uploads names it in its `tail_consumers` (src/lib/server/backends/cloudflare.ts), so after each
// invocation Cloudflare hands it that invocation's trace events. It turns them into log entries the way
// the local runner's LogTail does (src/lib/server/logs/entries.ts) and posts them to the platform's
// LOG_INGEST_PATH with LOG_INGEST_SECRET, through the PLATFORM service binding. Deploy it with
// `npx wrangler deploy -c src/tail/wrangler.jsonc` (README, "Logs and metrics").
import { entriesFromTrace, type NewLogEntry } from '../lib/server/logs/entries';
import { LOG_INGEST_PATH, LOG_INGEST_SECRET_HEADER } from '../lib/server/logs/receive';

export interface TailEnv {
	/** The platform Worker (a service binding). */
	PLATFORM: Fetcher;
	LOG_INGEST_SECRET: string;
}

/** The script id a namespace script serves: `<scriptId>`, or `<scriptId>--v<N>` for a version's preview. */
export const scriptIdOf = (scriptName: string) => scriptName.replace(/--v\d+$/, '');

/** The events of one tail call as the platform's ingest body: script id -> entries. */
export function ingestBatch(events: readonly TraceItem[]): Record<string, NewLogEntry[]> {
	const batch: Record<string, NewLogEntry[]> = {};
	for (const event of events) {
		if (!event.scriptName) continue;
		const entries = entriesFromTrace([event]);
		if (entries.length > 0) (batch[scriptIdOf(event.scriptName)] ??= []).push(...entries);
	}
	return batch;
}

export default {
	async tail(events, env) {
		const batch = ingestBatch(events);
		if (Object.keys(batch).length === 0) return;
		const response = await env.PLATFORM.fetch(`https://platform${LOG_INGEST_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', [LOG_INGEST_SECRET_HEADER]: env.LOG_INGEST_SECRET },
			body: JSON.stringify(batch)
		});
		await response.body?.cancel();
		if (!response.ok) console.error(`the platform refused ${events.length} trace events: HTTP ${response.status}`);
	}
} satisfies ExportedHandler<TailEnv>;
