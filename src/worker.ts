// The platform Worker's entry for `npm start` and `npm run deploy` (wrangler's `main` stays the
// adapter's output, because adapter-cloudflare writes its worker to whatever `main` names). It builds the
// platform (the composition root, src/lib/server/platform.ts), answers user Workers and the backends'
// internal endpoints itself, and hands every other request to SvelteKit with the same platform.
//
// Dispatch requests never enter SvelteKit's worker, whose response cache (caches.default) would
// otherwise serve a user Worker's cacheable response after a re-upload or a delete, and whose request
// pipeline costs more than the dispatcher itself (bench/profile.js).
import sveltekit from 'sveltekit-worker';
import { interceptPlatformRequest } from './lib/server/dispatch';
import { platformFor } from './lib/server/platform';
import { negotiateEncoding } from './lib/server/response-encoding';

// The Tail Worker and the ASSETS binding of user Workers run in this process (WFP_ISOLATION=off), reached
// through ctx.exports (src/lib/server/in-process-exports.ts).
export { InProcessLogTail as LogTail } from './lib/server/logs/in-process-tail';
export { InProcessAssets as UserAssets } from './lib/server/assets/in-process-assets';

export default {
	async fetch(request, env, ctx) {
		const platform = platformFor(env);
		platform.inProcessExports.remember(ctx.exports);
		const response =
			(await interceptPlatformRequest(request, new URL(request.url), platform)) ||
			(await sveltekit.fetch!(request, platform.sveltekitEnv, ctx));
		// Under `npm start` no edge sits in front of the app to choose the response's encoding.
		return env.NEGOTIATE_ENCODING === 'on' ? negotiateEncoding(request.headers.get('accept-encoding'), response) : response;
	}
} satisfies ExportedHandler<Env>;
