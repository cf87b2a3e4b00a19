// The platform's own URL paths, shared by the server, the web UI, the CLI and the scripts (Node imports
// this file directly, so it has no imports).

/** User Workers are served under this path: /user-workers/<name>/<path>. */
export const USER_WORKERS_ROOT = '/user-workers';
export const USER_WORKERS_PREFIX = `${USER_WORKERS_ROOT}/`;

/** The backends' internal endpoints (the local runner fetches code here); never a user Worker. */
export const INTERNAL_PREFIX = '/__platform/';

/** The public path a Worker is served under. */
export function workerPath(name: string): string {
	return `${USER_WORKERS_PREFIX}${name}/`;
}

/** Whether a request path belongs to a user Worker (`/user-workers` alone is an empty name, a 404). */
export function isUserWorkerPath(pathname: string): boolean {
	return pathname.startsWith(USER_WORKERS_PREFIX) || pathname === USER_WORKERS_ROOT;
}
