// The platform Worker's entry for `npm start` and `npm run deploy` (wrangler's `main` stays the
// adapter's output, because adapter-cloudflare writes its worker to whatever `main` names). Requests
// for user Workers skip SvelteKit's request pipeline (response-cache lookup, asset and route matching,
// respond), which cost more than the dispatcher itself (bench/profile.js); everything else, and any
// request before SvelteKit has loaded its hooks, is SvelteKit's, whose hooks dispatch the same way.
import sveltekit from 'sveltekit-worker';
import { publishedIntercept } from './lib/server/fast-dispatch';

export default {
	async fetch(request, env, ctx) {
		const intercept = publishedIntercept();
		const response = intercept && (await intercept(request, new URL(request.url), env));
		return response || sveltekit.fetch!(request, env, ctx);
	}
} satisfies ExportedHandler<Env>;
