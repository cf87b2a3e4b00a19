import { getPlatform, type WorkerPlatform } from '$lib/server/platform';

export interface Context {
	platform: WorkerPlatform;
	/** Origin the caller reached us on, for absolute Worker URLs. */
	origin: string;
	request: Request;
}

export function createContext(request: Request, env: Env): Context {
	return { platform: getPlatform(env), origin: new URL(request.url).origin, request };
}
