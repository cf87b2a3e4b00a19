// Sign out: a POST (a link or an image cannot sign anyone out) that ends the session on the server and
// clears its cookie. With `everywhere=1` in the form, every session of the same operator or customer ends.
import { redirect, type RequestHandler } from '@sveltejs/kit';
import { SESSION_COOKIE, sessionCookieOptions } from '$lib/server/auth';

export const POST: RequestHandler = async ({ cookies, url, request, locals }) => {
	const { sessionId, principal } = locals.session;
	const form = await request.formData().catch(() => null);
	if (form?.get('everywhere') === '1') await locals.platform.auth.signOutEverywhere(principal);
	else if (sessionId) await locals.platform.auth.signOut(sessionId);
	const { maxAge, ...options } = sessionCookieOptions(url);
	cookies.delete(SESSION_COOKIE, options);
	redirect(303, '/login');
};
