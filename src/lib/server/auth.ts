// Who may change the platform. With PLATFORM_ADMIN_TOKEN set, control-plane mutations need either
// `Authorization: Bearer <token>` (API clients, the CLI) or the session cookie that /login sets (the
// browser). Without it the local backend runs open and the cloudflare backend refuses mutations.
// SECURITY.md explains the model.
import type { PlatformConfig } from './config';
import { safeEqual } from './secrets';

export const SESSION_COOKIE = 'wfp_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export type Session = App.Locals['session'];

export const UNAUTHENTICATED_MESSAGE =
	'this platform needs an admin token: send Authorization: Bearer <token> or sign in at /login';
export const NO_TOKEN_ON_CLOUDFLARE_MESSAGE =
	'the cloudflare backend refuses changes while no admin token is configured: set PLATFORM_ADMIN_TOKEN ' +
	'(`wrangler secret put PLATFORM_ADMIN_TOKEN --env cloudflare`) and send it as Authorization: Bearer <token>';

/** Why a caller without a session may not mutate, for the tRPC UNAUTHORIZED error. */
export function refusalMessage(config: PlatformConfig): string {
	return config.adminToken ? UNAUTHENTICATED_MESSAGE : NO_TOKEN_ON_CLOUDFLARE_MESSAGE;
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
function bearerToken(headers: Headers): string | null {
	const match = headers.get('authorization')?.match(/^Bearer\s+(\S+)\s*$/i);
	return match ? match[1] : null;
}

/** The caller's session: open mode, a matching Bearer token, or a valid session cookie. */
export async function readSession(request: Request, config: PlatformConfig, now = Date.now()): Promise<Session> {
	const token = config.adminToken;
	if (!token) {
		const openMode = config.backend === 'local';
		return { openMode, authenticated: openMode };
	}
	const bearer = bearerToken(request.headers);
	if (bearer !== null) return { openMode: false, authenticated: safeEqual(bearer, token) };
	const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
	return { openMode: false, authenticated: cookie !== null && (await verifySessionValue(cookie, token, now)) };
}

function readCookie(header: string | null, name: string): string | null {
	for (const pair of header?.split(';') ?? []) {
		const [key, ...value] = pair.trim().split('=');
		if (key === name) return value.join('=');
	}
	return null;
}

// A session cookie is `<expiry in epoch seconds>.<HMAC-SHA-256 of the expiry>`, keyed by a key derived
// from the admin token: changing the token signs every session out, and the cookie never holds the token.
async function sessionKey(token: string): Promise<CryptoKey> {
	const encoder = new TextEncoder();
	const material = await crypto.subtle.importKey('raw', encoder.encode(token), 'HKDF', false, ['deriveKey']);
	return crypto.subtle.deriveKey(
		{ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: encoder.encode('workers-platform session v1') },
		material,
		{ name: 'HMAC', hash: 'SHA-256', length: 256 },
		false,
		['sign']
	);
}

async function signature(expires: string, token: string): Promise<string> {
	const mac = await crypto.subtle.sign('HMAC', await sessionKey(token), new TextEncoder().encode(expires));
	return btoa(String.fromCharCode(...new Uint8Array(mac)))
		.replace(/\+/g, '-')
		.replace(/\//g, '_')
		.replace(/=+$/, '');
}

export async function createSessionValue(token: string, now = Date.now()): Promise<string> {
	const expires = String(Math.floor(now / 1000) + SESSION_TTL_SECONDS);
	return `${expires}.${await signature(expires, token)}`;
}

export async function verifySessionValue(value: string, token: string, now = Date.now()): Promise<boolean> {
	const match = value.match(/^(\d{1,12})\.([\w-]+)$/);
	if (!match || Number(match[1]) * 1000 <= now) return false;
	return safeEqual(match[2], await signature(match[1], token));
}

/** Options for the session cookie (SvelteKit's `cookies.set`). */
export function sessionCookieOptions(url: URL) {
	return {
		path: '/',
		httpOnly: true,
		sameSite: 'strict' as const,
		secure: url.protocol === 'https:',
		maxAge: SESSION_TTL_SECONDS
	};
}

/**
 * The headers a user Worker receives: the platform's session cookie and a Bearer header carrying the
 * admin token are removed; every other cookie and credential is the Worker's own business and kept.
 */
export function withoutPlatformCredentials(headers: Headers, config: PlatformConfig): Headers {
	const cleaned = new Headers(headers);
	const cookie = headers.get('cookie');
	if (cookie !== null) {
		const kept = cookie
			.split(';')
			.map((pair) => pair.trim())
			.filter((pair) => pair !== '' && pair.split('=')[0] !== SESSION_COOKIE);
		if (kept.length) cleaned.set('cookie', kept.join('; '));
		else cleaned.delete('cookie');
	}
	const bearer = bearerToken(headers);
	if (bearer !== null && config.adminToken && safeEqual(bearer, config.adminToken)) cleaned.delete('authorization');
	return cleaned;
}
