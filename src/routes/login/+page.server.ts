// Browser sign-in: the admin token or a customer's API token in exchange for a session cookie (a random
// id whose hash the server keeps, so signing out ends it everywhere the cookie was copied to).
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { SESSION_COOKIE, sessionCookieOptions } from '$lib/server/auth';
import { platformPath } from '$lib/server/redirects';

export const load: PageServerLoad = ({ locals, url }) => ({
	signedIn: locals.session.principal.kind !== 'anonymous' && !locals.session.openMode,
	redirectTo: platformPath(url.searchParams.get('redirectTo'), url)
});

export const actions: Actions = {
	default: async ({ request, cookies, url, locals }) => {
		const form = await request.formData();
		const redirectTo = platformPath(String(form.get('redirectTo') ?? url.searchParams.get('redirectTo') ?? ''), url);
		const { auth, authFailures } = locals.platform;
		const token = String(form.get('token') ?? '').trim();
		if (!token) return fail(400, { error: 'Enter your token: the admin token or an API token of your customer account.', redirectTo });
		const signedIn = await auth.signIn(token);
		if (!signedIn) {
			authFailures.recordFailure(locals.client);
			return fail(403, { error: 'That token is not valid on this platform (or it was revoked).', redirectTo });
		}
		cookies.set(SESSION_COOKIE, signedIn.sessionId, sessionCookieOptions(url));
		redirect(303, redirectTo);
	}
};
