import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { error, type RequestHandler } from '@sveltejs/kit';
import { appRouter } from '$lib/trpc/router';
import { createContext } from '$lib/trpc/context';

const handler: RequestHandler = ({ request, platform, locals }) => {
	if (!platform) error(500, 'the platform environment is missing: run with `npm start` or `npm run dev`');
	return fetchRequestHandler({
		endpoint: '/api/trpc',
		req: request,
		router: appRouter,
		createContext: () => createContext(request, platform.env, locals.session),
		onError({ error, path }) {
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path}:`, error.cause ?? error);
		}
	});
};

export const GET = handler;
export const POST = handler;
