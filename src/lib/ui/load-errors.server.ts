// Load functions call the router in-process; its errors become SvelteKit error pages (+error.svelte)
// with a status and a message a person can act on, never a blank page.
import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';

export async function orErrorPage<T>(call: Promise<T>): Promise<T> {
	try {
		return await call;
	} catch (cause) {
		if (cause instanceof TRPCError) {
			if (cause.code === 'NOT_FOUND') error(404, cause.message);
			if (cause.code === 'BAD_REQUEST') error(400, cause.message);
		}
		console.error('web UI load:', cause);
		error(503, 'The platform API is not answering right now. Try again in a moment.');
	}
}
