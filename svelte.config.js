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
		csrf: { trustedOrigins: ['*'] },
		// The test fixtures are customers' projects with their own dependencies (installed by the tests that
		// use them), not part of this program: the type check leaves them out.
		typescript: {
			config: (tsconfig) => ({ ...tsconfig, exclude: [...(tsconfig.exclude ?? []), '../tests/fixtures/**'] })
		},
		// The UI's Content-Security-Policy (SECURITY.md): its own scripts only (SvelteKit adds a nonce or hash
		// for its inline start-up script), inline styles (CodeMirror injects its own and components set style
		// attributes), no plugins, and no framing by any site. src/lib/server/security-headers.ts covers the
		// responses that are not pages.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
