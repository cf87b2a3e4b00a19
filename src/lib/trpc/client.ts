// A typed client for the control-plane API, for the browser, the CLI and any TypeScript program.
// Queries and mutations go over HTTP in batches; subscriptions (workers.tail) as server-sent events.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from './router';
import { FetchEventSource } from './fetch-event-source.ts';

export interface PlatformClientOptions {
	/** Sent as `Authorization: Bearer <token>` when set. */
	token?: string;
	fetch?: typeof fetch;
}

export type PlatformClient = TRPCClient<AppRouter>;

/** `baseUrl` is the platform's origin, e.g. http://localhost:8787 ('' in the browser for same-origin). */
export function createPlatformClient(baseUrl: string, options: PlatformClientOptions = {}): PlatformClient {
	const url = `${baseUrl.replace(/\/$/, '')}/api/trpc`;
	const authorization = (): Record<string, string> => (options.token ? { authorization: `Bearer ${options.token}` } : {});
	// The browser's own EventSource sends the session cookie; a token (or a runtime without EventSource,
	// like Node) needs the fetch-based one, which sends headers.
	const useFetchEventSource = options.token !== undefined || options.fetch !== undefined || typeof EventSource === 'undefined';
	return createTRPCClient<AppRouter>({
		links: [
			splitLink({
				condition: (operation) => operation.type === 'subscription',
				true: useFetchEventSource
					? httpSubscriptionLink({
							url,
							EventSource: FetchEventSource,
							eventSourceOptions: () => ({ headers: authorization(), fetch: options.fetch })
						})
					: httpSubscriptionLink({ url }),
				false: httpBatchLink({
					url,
					// The server refuses larger batches (MAX_BATCH_CALLS in src/lib/server/api-limits.ts).
					maxItems: 10,
					headers: authorization,
					fetch: options.fetch
				})
			})
		]
	});
}
