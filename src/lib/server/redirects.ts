// Where the platform may send a browser after an action: only to one of its own paths.

/**
 * `value` as a path on `url`'s origin, or `/` when it would leave it: another origin, or a path that a
 * browser reads as one (`//host`, `/\host` once normalised, e.g. from `/.//evil.example`).
 */
export function platformPath(value: string | null | undefined, url: URL): string {
	if (!value) return '/';
	const target = URL.parse(value, url.origin);
	if (!target || target.origin !== url.origin) return '/';
	const path = target.pathname + target.search + target.hash;
	return /^\/[/\\]/.test(path) ? '/' : path;
}
