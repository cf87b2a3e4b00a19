// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Platform as WorkersPlatform, SvelteKitEnv } from '$lib/server/platform';

declare global {
	namespace App {
		interface Locals {
			/** The platform's services (src/lib/server/platform.ts), set by src/hooks.server.ts. */
			platform: WorkersPlatform;
			/** Who is calling (set by src/hooks.server.ts before any route runs). */
			session: {
				/** No admin token is configured: anyone who can reach the server may deploy code. */
				openMode: boolean;
				/** The caller may use the control plane's mutations. */
				authenticated: boolean;
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
		CLOUDFLARE_ACCOUNT_ID?: string;
		CLOUDFLARE_API_TOKEN?: string;
		/** Override of the Cloudflare API origin (tests point it at a local stand-in). */
		CLOUDFLARE_API_BASE_URL?: string;
		DISPATCH_NAMESPACE?: string;
		/** The platform's public origin (https://platform.example.com); `npm start` sets it to its own address. */
		PLATFORM_ORIGIN?: string;
		/** When set, every control-plane mutation needs this token (Bearer header or login cookie). */
		PLATFORM_ADMIN_TOKEN?: string;
		MAX_SCRIPT_BYTES?: string;
		DEFAULT_COMPATIBILITY_DATE?: string;
		DISPATCH_TIMEOUT_MS?: string;
		USER_WORKER_CPU_MS?: string;
		USER_WORKER_SUBREQUESTS?: string;
		/** How many versions each Worker keeps (default 20). */
		VERSION_RETENTION?: string;
		/** How long removed versions' code stays readable for requests in flight (default 60). */
		RETIRED_CODE_GRACE_SECONDS?: string;
		/** Encrypts Workers' secrets at rest (`npm start` generates one into .dev.vars). */
		PLATFORM_SECRETS_KEY?: string;
	}
}

export {};
