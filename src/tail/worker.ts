// The platform's Tail Worker on Cloudflare (PLATFORM_BACKEND=cloudflare): every user script the platform
// uploads names it in its `tail_consumers` (src/lib/server/backends/cloudflare.ts), so after each
// invocation Cloudflare hands it that invocation's trace events. It turns them into log entries the way
// the local runner's LogTail does (src/lib/server/logs/entries.ts) and posts them to the platform's
// LOG_INGEST_PATH with LOG_INGEST_SECRET, through the PLATFORM service binding. Deploy it with
// `npx wrangler deploy -c src/tail/wrangler.jsonc` (README, "Logs and metrics").
import type { LogBatch } from '../lib/server/logs/buffer';
import { entriesFromTrace, type NewLogEntry } from '../lib/server/logs/entries';
import { metricsOf } from '../lib/server/logs/metrics';
import { LOG_INGEST_PATH, LOG_INGEST_SECRET_HEADER } from '../lib/server/logs/receive';

export interface TailEnv {
	/** The platform Worker (a service binding). */
	PLATFORM: Fetcher;
	LOG_INGEST_SECRET: string;
}

/** The script id a namespace script serves: `<scriptId>`, or `<scriptId>--v<N>` for a version's preview. */
export const scriptIdOf = (scriptName: string) => scriptName.replace(/--v\d+$/, '');

/** The events of one tail call as the platform's ingest body: each script id's entries and request metrics. */
export function ingestBatch(events: readonly TraceItem[]): LogBatch {
	const entries: Record<string, NewLogEntry[]> = {};
	for (const event of events) {
		if (!event.scriptName) continue;
		const list = entriesFromTrace([event]);
		if (list.length > 0) (entries[scriptIdOf(event.scriptName)] ??= []).push(...list);
	}
	return { entries, metrics: Object.fromEntries(Object.entries(entries).map(([scriptId, list]) => [scriptId, metricsOf(list)])) };
}

export default {
	async tail(events, env) {
		const batch = ingestBatch(events);
		if (Object.keys(batch.entries).length === 0) return;
		const response = await env.PLATFORM.fetch(`https://platform${LOG_INGEST_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', [LOG_INGEST_SECRET_HEADER]: env.LOG_INGEST_SECRET },
			body: JSON.stringify(batch)
		});
		await response.body?.cancel();
		if (!response.ok) console.error(`the platform refused ${events.length} trace events: HTTP ${response.status}`);
	}
} satisfies ExportedHandler<TailEnv>;
