import adapter from '@sveltejs/adapter-cloudflare';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ config: 'wrangler.jsonc' }),
		// User Workers accept cross-site form posts like any website; the platform's own routes are
		// protected by the stricter check in src/hooks.server.ts (see src/lib/server/csrf.ts).
		csrf: { trustedOrigins: ['*'] }
	}
};

export default config;
