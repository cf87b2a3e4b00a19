// The tRPC router called in-process from SvelteKit load functions and form actions: the same
// procedures, checks (the session from src/hooks.server.ts included) and errors as over HTTP, without the HTTP hop.
import { error, type RequestEvent } from '@sveltejs/kit';
import { createCaller } from '$lib/trpc/router';
import { createContext } from '$lib/trpc/context';

export function serverCaller(event: RequestEvent) {
	if (!event.platform) error(503, 'The platform environment is missing: start the app with `npm start` or `npm run dev`.');
	return createCaller(createContext(event.request, event.platform.env, event.locals.session));
}
