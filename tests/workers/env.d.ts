/// <reference types="@cloudflare/vitest-plugin/types" />
// The test workerd's bindings are the platform's own (vitest.config.ts, project "workers").
type PlatformEnv = Env;
declare namespace Cloudflare {
	interface Env extends PlatformEnv {}
}
