// Browser sign-in: the admin token in exchange for a signed, expiring, HttpOnly session cookie.
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { createSessionValue, SESSION_COOKIE, sessionCookieOptions } from '$lib/server/auth';
import { getPlatform } from '$lib/server/platform';
import { safeEqual } from '$lib/server/secrets';

/** Only a path on this platform: a login link must not send the operator to another site. */
function sameOriginPath(value: string | null, url: URL): string {
	if (!value) return '/';
	const target = new URL(value, url.origin);
	return target.origin === url.origin ? target.pathname + target.search + target.hash : '/';
}

// Wrong tokens per client address in this isolate: a slow-down for guessing, not a defence on its own
// (the token itself should be long and random; SECURITY.md).
const MAX_FAILURES_PER_MINUTE = 10;
const failures = new Map<string, { count: number; since: number }>();

function tooManyFailures(client: string, now: number): boolean {
	const entry = failures.get(client);
	if (!entry || now - entry.since > 60_000) return false;
	return entry.count >= MAX_FAILURES_PER_MINUTE;
}

function recordFailure(client: string, now: number) {
	const entry = failures.get(client);
	if (!entry || now - entry.since > 60_000) failures.set(client, { count: 1, since: now });
	else entry.count++;
}

export const load: PageServerLoad = ({ locals, url, platform }) => ({
	session: locals.session,
	tokenConfigured: Boolean(platform && getPlatform(platform.env).config.adminToken),
	redirectTo: sameOriginPath(url.searchParams.get('redirectTo'), url)
});

export const actions: Actions = {
	default: async ({ request, cookies, url, platform, getClientAddress }) => {
		const form = await request.formData();
		const redirectTo = sameOriginPath(String(form.get('redirectTo') ?? url.searchParams.get('redirectTo') ?? ''), url);
		const adminToken = platform && getPlatform(platform.env).config.adminToken;
		if (!adminToken)
			return fail(400, {
				error: 'No admin token is configured, so there is nothing to sign in to. Set PLATFORM_ADMIN_TOKEN to require one.',
				redirectTo
			});
		const client = getClientAddress();
		const now = Date.now();
		if (tooManyFailures(client, now))
			return fail(429, { error: 'Too many wrong tokens from this address; wait a minute and try again.', redirectTo });
		const token = String(form.get('token') ?? '').trim();
		if (!token) return fail(400, { error: 'Enter the admin token.', redirectTo });
		if (!safeEqual(token, adminToken)) {
			recordFailure(client, now);
			return fail(403, { error: 'That is not this platform’s admin token.', redirectTo });
		}
		cookies.set(SESSION_COOKIE, await createSessionValue(adminToken), sessionCookieOptions(url));
		redirect(303, redirectTo);
	}
};
