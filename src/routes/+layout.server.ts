import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

/** Pages anyone may open without signing in. */
const PUBLIC_PAGES = new Set(['/login']);

// The platform's pages are private: a visitor who is not signed in (and not in open mode) is sent to
// the sign-in page, which brings them back afterwards.
export const load: LayoutServerLoad = ({ locals, url }) => {
	const { openMode, principal } = locals.session;
	if (principal.kind === 'anonymous' && !PUBLIC_PAGES.has(url.pathname))
		redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
	return {
		/** Who is looking at the page (never the session id, which stays in its HttpOnly cookie). */
		viewer: {
			openMode,
			kind: principal.kind,
			customerId: principal.kind === 'customer' ? principal.customerId : null,
			customerName: principal.kind === 'customer' ? principal.customerName : null
		}
	};
};
