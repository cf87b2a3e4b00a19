// The Cloudflare-compatible API (src/lib/server/cloudflare-api/): every method of every path under
// /client/v4, with the caller, throttle and CSRF check src/hooks.server.ts gives every route.
import type { RequestHandler } from '@sveltejs/kit';
import { handleCloudflareApi } from '$lib/server/cloudflare-api/handler';

export const fallback: RequestHandler = ({ request, locals }) => handleCloudflareApi(request, locals.platform, locals.session);
