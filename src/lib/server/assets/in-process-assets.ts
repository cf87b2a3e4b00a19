// The ASSETS binding of user Workers run in the app's own process (WFP_ISOLATION=off; see
// in-process-exports.ts): what the runner's UserAssets entrypoint answers, straight from the platform's
// asset store. Only src/worker.ts imports it (workerd's own module).
import { WorkerEntrypoint } from 'cloudflare:workers';
import { platformFor } from '../platform';
import { serveVersionAsset } from './serve';

/** A GET or HEAD for an asset path of the version `props` names; anything else is a 404 (or 405 for other methods). */
export class InProcessAssets extends WorkerEntrypoint<Env, { scriptId: string; version: number }> {
	async fetch(request: Request): Promise<Response> {
		if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
		const asset = await serveVersionAsset(platformFor(this.env).assets, this.ctx.props, request, new URL(request.url).pathname);
		return asset ?? new Response('no such asset', { status: 404 });
	}
}
