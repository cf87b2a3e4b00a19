// Browser sign-in: the admin token in exchange for a signed, expiring, HttpOnly session cookie.
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { createSessionValue, SESSION_COOKIE, sessionCookieOptions } from '$lib/server/auth';
import { platformPath } from '$lib/server/redirects';
import { safeEqual } from '$lib/server/secrets';

export const load: PageServerLoad = ({ locals, url }) => ({
	session: locals.session,
	tokenConfigured: Boolean(locals.platform.config.adminToken),
	redirectTo: platformPath(url.searchParams.get('redirectTo'), url)
});

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress }) => {
		const form = await request.formData();
		const redirectTo = platformPath(String(form.get('redirectTo') ?? url.searchParams.get('redirectTo') ?? ''), url);
		const { config, authFailures } = locals.platform;
		if (!config.adminToken)
			return fail(400, {
				error: 'No admin token is configured, so there is nothing to sign in to. Set PLATFORM_ADMIN_TOKEN to require one.',
				redirectTo
			});
		const client = getClientAddress();
		if (authFailures.retryAfterSeconds(client) > 0)
			return fail(429, { error: 'Too many wrong tokens from this address; wait a minute and try again.', redirectTo });
		const token = String(form.get('token') ?? '').trim();
		if (!token) return fail(400, { error: 'Enter the admin token.', redirectTo });
		if (!safeEqual(token, config.adminToken)) {
			authFailures.recordFailure(client);
			return fail(403, { error: 'That is not this platform’s admin token.', redirectTo });
		}
		cookies.set(SESSION_COOKIE, await createSessionValue(config.adminToken), sessionCookieOptions(url));
		redirect(303, redirectTo);
	}
};
