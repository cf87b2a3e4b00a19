/// <reference types="@cloudflare/vitest-plugin/types" />
// The test workerd's bindings are the platform's own (vitest.config.ts, project "workers").
type PlatformEnv = Env;
declare namespace Cloudflare {
	interface Env extends PlatformEnv {
		/** The same KV namespace as WORKER_MAPPINGS, through another binding object (another isolate's view). */
		WORKER_MAPPINGS_OTHER_ISOLATE: KVNamespace;
	}
}
