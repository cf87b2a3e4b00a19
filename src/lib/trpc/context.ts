import type { Session } from '$lib/server/auth';
import { getPlatform, type WorkerPlatform } from '$lib/server/platform';

export interface Context {
	platform: WorkerPlatform;
	/** Origin the caller reached us on, for absolute Worker URLs. */
	origin: string;
	request: Request;
	/** Who is calling (src/lib/server/auth.ts): every mutation needs `authenticated`. */
	session: Session;
}

export function createContext(request: Request, env: Env, session: Session): Context {
	return { platform: getPlatform(env), origin: new URL(request.url).origin, request, session };
}
