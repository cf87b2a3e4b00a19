import type { Session } from '$lib/server/auth';
import type { Platform } from '$lib/server/platform';
import type { Principal } from '$lib/server/principal';

export interface Context {
	platform: Platform;
	/** The platform's public origin, for absolute Worker URLs (PLATFORM_ORIGIN, else the request's). */
	origin: string;
	request: Request;
	/** How the caller authenticated (src/lib/server/auth.ts). */
	session: Session;
	/** Who is calling, as the services see it. */
	caller: Principal;
}

export function createContext(request: Request, platform: Platform, session: Session): Context {
	return {
		platform,
		origin: platform.config.publicOrigin ?? new URL(request.url).origin,
		request,
		session,
		caller: session.principal
	};
}
