// What a user Worker receives of its caller's request: everything the caller sent for the Worker, nothing
// that proves who the caller is to the platform or to a gateway in front of it. A user Worker that saw
// those could replay them against the platform (or any other app behind the same gateway).
import { bearerToken, isPlatformBearer, SESSION_COOKIE } from './auth';
import { INTERNAL_HEADER_PREFIX } from './backend';
import type { PlatformConfig } from './config';

/**
 * Cloudflare Access, when the platform sits behind it: the signed token of the signed-in person (also the
 * CF_Authorization cookie), a service token's id and secret, and the person's address.
 */
export const ACCESS_CREDENTIAL_HEADERS = [
	'cf-access-jwt-assertion',
	'cf-access-client-id',
	'cf-access-client-secret',
	'cf-access-authenticated-user-email'
] as const;

const ACCESS_CREDENTIAL_HEADER_SET: ReadonlySet<string> = new Set(ACCESS_CREDENTIAL_HEADERS);

/** Cloudflare Access's cookies: the token itself, the binding cookie that ties it to a browser, the app session. */
export const ACCESS_COOKIES = ['CF_Authorization', 'CF_Binding', 'CF_AppSession'] as const;

/** The `Cookie` header without the cookies named in `names` (names are case-sensitive); removed when none is left. */
export function removeCookies(headers: Headers, names: ReadonlySet<string>): void {
	const cookie = headers.get('cookie');
	if (cookie === null) return;
	const kept = cookie
		.split(';')
		.map((pair) => pair.trim())
		.filter((pair) => pair !== '' && !names.has(pair.split('=')[0].trim()));
	if (kept.length) headers.set('cookie', kept.join('; '));
	else headers.delete('cookie');
}

/** The platform's session cookie and Cloudflare Access's: the Worker's own cookies stay. */
const PLATFORM_AND_ACCESS_COOKIES: ReadonlySet<string> = new Set([SESSION_COOKIE, ...ACCESS_COOKIES]);

/**
 * The headers a user Worker receives: the caller's, without the platform's session cookie and its tokens
 * (the admin token, `Bearer wfp_…`), Cloudflare Access's credentials, the headers named in PLATFORM_CREDENTIAL_HEADERS, and the
 * platform's internal `x-wfp-*` headers.
 */
export function userWorkerRequestHeaders(headers: Headers, config: PlatformConfig): Headers {
	const cleaned = new Headers(headers);
	const bearer = bearerToken(headers);
	if (bearer !== null && isPlatformBearer(bearer, config)) cleaned.delete('authorization');
	// One pass over the headers the request has, rather than a delete per credential header name.
	const doomed = [...cleaned.keys()].filter(
		(name) => ACCESS_CREDENTIAL_HEADER_SET.has(name) || config.credentialHeaders.includes(name) || name.startsWith(INTERNAL_HEADER_PREFIX)
	);
	for (const name of doomed) cleaned.delete(name);
	removeCookies(cleaned, PLATFORM_AND_ACCESS_COOKIES);
	return cleaned;
}

