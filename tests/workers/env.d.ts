/// <reference types="@cloudflare/vitest-plugin/types" />
// The test workerd's bindings are the platform's own (vitest.config.ts, project "workers").
type PlatformEnv = Env;
declare namespace Cloudflare {
	interface Env extends PlatformEnv {
		/** migrations/, read by vitest.config.ts and applied by tests/workers/apply-migrations.ts. */
		TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
	}
}
