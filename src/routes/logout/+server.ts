// Sign out: a POST (a link or an image cannot sign anyone out) that clears the session cookie.
import { redirect, type RequestHandler } from '@sveltejs/kit';
import { SESSION_COOKIE, sessionCookieOptions } from '$lib/server/auth';

export const POST: RequestHandler = ({ cookies, url }) => {
	const { maxAge, ...options } = sessionCookieOptions(url);
	cookies.delete(SESSION_COOKIE, options);
	redirect(303, '/');
};
