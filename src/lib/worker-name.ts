// Friendly-name rules, shared by the server, the web UI (validation as you type) and the CLI.
// Names become a URL path segment (and, on Cloudflare, part of a DNS-safe script name), so they
// follow DNS-label rules.

export const WORKER_NAME_MAX_LENGTH = 63;

/** Names that would collide with the platform's own routes or look like they belong to it. */
export const RESERVED_WORKER_NAMES: ReadonlySet<string> = new Set([
	'_app',
	'admin',
	'api',
	'assets',
	'login',
	'logout',
	'platform',
	'static',
	'upload',
	'user-workers',
	'workers',
	'www'
]);

/** Returns why `name` is not a valid Worker name, or `null` when it is. */
export function workerNameProblem(name: string): string | null {
	if (name.length === 0) return 'name is required';
	if (name.length > WORKER_NAME_MAX_LENGTH)
		return `name is ${name.length} characters long; the limit is ${WORKER_NAME_MAX_LENGTH}`;
	if (/[A-Z]/.test(name)) return 'name must be lowercase';
	const bad = name.match(/[^a-z0-9-]/);
	if (bad)
		return `name may only contain a-z, 0-9 and "-" (found ${JSON.stringify(bad[0])})`;
	if (name.startsWith('-') || name.endsWith('-')) return 'name must not start or end with "-"';
	if (RESERVED_WORKER_NAMES.has(name)) return `"${name}" is reserved by the platform; choose another name`;
	return null;
}
