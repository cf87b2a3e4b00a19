import adapter from '@sveltejs/adapter-cloudflare';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// `npm run dev` keeps its KV data where `npm start` does (WFP_STATE_DIR, default .wrangler/state), so both
// see the same Workers.
const stateDir = process.env.WFP_STATE_DIR || '.wrangler/state';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({
			config: 'wrangler.jsonc',
			platformProxy: { persist: { path: `${stateDir}/v3` } }
		}),
		// User Workers accept cross-site form posts like any website; the platform's own routes are
		// protected by the stricter check in src/hooks.server.ts (see src/lib/server/csrf.ts).
		csrf: { trustedOrigins: ['*'] }
	}
};

export default config;
