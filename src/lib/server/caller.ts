// The tRPC router called in-process from SvelteKit load functions and form actions: the same
// procedures, checks (the session from src/hooks.server.ts included) and errors as over HTTP, without the HTTP hop.
import type { RequestEvent } from '@sveltejs/kit';
import { createCaller } from '$lib/trpc/router';
import { createContext } from '$lib/trpc/context';

export function serverCaller(event: RequestEvent) {
	return createCaller(createContext(event.request, event.locals.platform, event.locals.session));
}
