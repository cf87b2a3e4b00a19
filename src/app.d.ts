// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Platform as WorkersPlatform, SvelteKitEnv } from '$lib/server/platform';

declare global {
	namespace App {
		interface Locals {
			/** The platform's services (src/lib/server/platform.ts), set by src/hooks.server.ts. */
			platform: WorkersPlatform;
			/** The client's address as the throttle counts it (src/lib/server/throttle.ts). */
			client: string;
			/** Who is calling (src/lib/server/auth.ts; set by src/hooks.server.ts before any route runs). */
			session: {
				/** No admin token is configured: anyone who can reach the server is the operator. */
				openMode: boolean;
				principal: import('$lib/server/principal').Principal;
				/** The browser session's id when the caller signed in at /login (to sign it out). */
				sessionId: string | null;
				/** A Bearer token was sent and is not valid (revoked, or never issued). */
				rejectedToken: boolean;
			};
		}
		interface Platform {
			/** The bindings, with the platform src/worker.ts built from them (absent under `vite dev`). */
			env: SvelteKitEnv;
			ctx: ExecutionContext;
			caches: CacheStorage;
			cf?: IncomingRequestCfProperties;
		}
	}

	/** Bindings, vars and secrets of the platform Worker (wrangler.jsonc; README "Configuration"). */
	interface Env {
		WORKER_MAPPINGS: KVNamespace;
		/** Customers, tokens, sessions and Worker ownership (schema in migrations/). */
		DB: D1Database;
		/** Worker Loader: runs user Workers in this process (local backend without a runner). */
		LOADER?: WorkerLoader;
		/** Dispatch namespace binding (cloudflare backend). */
		DISPATCHER?: DispatchNamespace;
		PLATFORM_BACKEND?: string;
		/** Separate, supervised process that runs user Workers (local backend; set by `npm start`). */
		RUNNER_URL?: string;
		RUNNER_SECRET?: string;
		/** "on" where clients reach the app with no edge in front (`npm start`): the app chooses the response encoding. */
		NEGOTIATE_ENCODING?: string;
		CLOUDFLARE_ACCOUNT_ID?: string;
		CLOUDFLARE_API_TOKEN?: string;
		/** Override of the Cloudflare API origin (tests point it at a local stand-in). */
		CLOUDFLARE_API_BASE_URL?: string;
		DISPATCH_NAMESPACE?: string;
		/** The platform's host; every Worker is also served at `<name>.<PLATFORM_HOST>` (README, "Routing"). */
		PLATFORM_HOST?: string;
		/** Cloudflare for SaaS zone of the platform, for customers' own hostnames (cloudflare backend). */
		CLOUDFLARE_ZONE_ID?: string;
		/** The platform's Tail Worker, named in each user script's `tail_consumers` (cloudflare backend logs). */
		PLATFORM_TAIL_WORKER?: string;
		/** The secret that Tail Worker sends user Workers' log entries to the platform with (`/__platform/logs`). */
		LOG_INGEST_SECRET?: string;
		/** The platform's public origin (https://platform.example.com); `npm start` sets it to its own address. */
		PLATFORM_ORIGIN?: string;
		/** When set, every control-plane mutation needs this token (Bearer header or login cookie). */
		PLATFORM_ADMIN_TOKEN?: string;
		/** The account id the Cloudflare-compatible API (/client/v4) shows and expects in its paths. */
		PLATFORM_ACCOUNT_ID?: string;
		/** The name of the dispatch namespace the Cloudflare-compatible API serves (default `workers-platform`). */
		PLATFORM_NAMESPACE?: string;
		/** Request headers (comma-separated) that carry credentials for the platform, never sent to user Workers. */
		PLATFORM_CREDENTIAL_HEADERS?: string;
		MAX_SCRIPT_BYTES?: string;
		DEFAULT_COMPATIBILITY_DATE?: string;
		DISPATCH_TIMEOUT_MS?: string;
		USER_WORKER_CPU_MS?: string;
		USER_WORKER_SUBREQUESTS?: string;
		/** How many Workers a new customer may own unless the operator sets another limit. */
		DEFAULT_MAX_WORKERS?: string;
		DEFAULT_MAX_ASSET_BYTES?: string;
		AUTH_MAX_FAILURES_PER_MINUTE?: string;
		/** The header with the client's address that clients cannot forge (`CF-Connecting-IP` on Cloudflare). */
		TRUSTED_CLIENT_IP_HEADER?: string;
		/** How many versions each Worker keeps (default 20). */
		VERSION_RETENTION?: string;
		/** How long removed versions' code stays readable for requests in flight (default 60). */
		RETIRED_CODE_GRACE_SECONDS?: string;
		/** Encrypts Workers' secrets at rest (`npm start` generates one into .dev.vars). */
		PLATFORM_SECRETS_KEY?: string;
	}
}

export {};
