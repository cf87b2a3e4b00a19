// A typed client for the control-plane API, for the browser, the CLI and any TypeScript program.
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from './router';

export interface PlatformClientOptions {
	/** Sent as `Authorization: Bearer <token>` when set. */
	token?: string;
	fetch?: typeof fetch;
}

export type PlatformClient = TRPCClient<AppRouter>;

/** `baseUrl` is the platform's origin, e.g. http://localhost:8787 ('' in the browser for same-origin). */
export function createPlatformClient(baseUrl: string, options: PlatformClientOptions = {}): PlatformClient {
	return createTRPCClient<AppRouter>({
		links: [
			httpBatchLink({
				url: `${baseUrl.replace(/\/$/, '')}/api/trpc`,
				// The server refuses larger batches (MAX_BATCH_CALLS in src/lib/server/api-limits.ts).
				maxItems: 10,
				headers: () => (options.token ? { authorization: `Bearer ${options.token}` } : {}),
				fetch: options.fetch
			})
		]
	});
}
