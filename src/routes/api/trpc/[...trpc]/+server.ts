import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { RequestHandler } from '@sveltejs/kit';
import { appRouter } from '$lib/trpc/router';
import { createContext } from '$lib/trpc/context';
import { apiLimits, serveWithinApiLimits } from '$lib/server/api-limits';

const ENDPOINT = '/api/trpc';

const handler: RequestHandler = ({ request, locals }) =>
	serveWithinApiLimits(request, ENDPOINT, apiLimits(locals.platform.config), appRouter, (bounded) =>
		fetchRequestHandler({
			endpoint: ENDPOINT,
			req: bounded,
			router: appRouter,
			createContext: () => createContext(bounded, locals.platform, locals.session),
			onError({ error, path }) {
				if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path}:`, error.cause ?? error);
			}
		})
	);

export const GET = handler;
export const POST = handler;
