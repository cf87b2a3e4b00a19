// Who is calling. Three kinds of credential, each checked on every request:
// - the operator's admin token (PLATFORM_ADMIN_TOKEN), as `Authorization: Bearer <token>`;
// - a customer's API token (`wfp_…`, stored as a SHA-256 in D1), as `Authorization: Bearer <token>`;
// - a browser session cookie from /login (a random `wfps_…` id, stored as a SHA-256 in D1), which
//   signing out, revoking the token it was opened with, or rotating the admin token ends at once.
// Without an admin token the local backend runs open (everyone is the operator) and the cloudflare
// backend has no operator. SECURITY.md explains the model.
import type { PlatformConfig } from './config';
import type { CredentialOwner, CustomerStore } from './customers/store';
import { API_TOKEN_PREFIX, SESSION_ID_PREFIX, randomCredential, sha256Hex } from './customers/secrets';
import { ANONYMOUS, OPERATOR, type Principal } from './principal';
import { safeEqual } from './secrets';

export const SESSION_COOKIE = 'wfp_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export type Session = App.Locals['session'];

export const UNAUTHENTICATED_MESSAGE =
	'this platform needs a token: send Authorization: Bearer <token> (the admin token or a customer token) or sign in at /login';
export const NO_TOKEN_ON_CLOUDFLARE_MESSAGE =
	'the cloudflare backend refuses changes while no admin token is configured: set PLATFORM_ADMIN_TOKEN ' +
	'(`wrangler secret put PLATFORM_ADMIN_TOKEN --env cloudflare`) and send it as Authorization: Bearer <token>';
export const REJECTED_TOKEN_MESSAGE =
	'the token is not valid: it was revoked, or was never issued by this platform (sign in again or create a new token)';

/** Why a caller without a credential is refused, for the tRPC UNAUTHORIZED error. */
export function refusalMessage(config: PlatformConfig): string {
	return config.adminToken || config.backend === 'local' ? UNAUTHENTICATED_MESSAGE : NO_TOKEN_ON_CLOUDFLARE_MESSAGE;
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(headers: Headers): string | null {
	const match = headers.get('authorization')?.match(/^Bearer\s+(\S+)\s*$/i);
	return match ? match[1] : null;
}

export function readCookie(header: string | null, name: string): string | null {
	for (const pair of header?.split(';') ?? []) {
		const [key, ...value] = pair.trim().split('=');
		if (key === name) return value.join('=');
	}
	return null;
}

/** Operator sessions remember this fingerprint of the admin token: a new admin token ends them all. */
async function adminKeyOf(adminToken: string): Promise<string> {
	return sha256Hex(`workers-platform operator session:${adminToken}`);
}

function principalOf(owner: CredentialOwner): Principal {
	const { customer, tokenId } = owner;
	return customer ? { kind: 'customer', customerId: customer.id, customerName: customer.name, tokenId } : OPERATOR;
}

export class Authenticator {
	constructor(
		private readonly config: PlatformConfig,
		private readonly store: CustomerStore
	) {}

	get openMode(): boolean {
		return !this.config.adminToken && this.config.backend === 'local';
	}

	/** Whose credential `token` is (the admin token or a customer token), or null. */
	async principalOfToken(token: string): Promise<Principal | null> {
		const { adminToken } = this.config;
		if (adminToken && safeEqual(token, adminToken)) return OPERATOR;
		if (!token.startsWith(API_TOKEN_PREFIX)) return null;
		// The lookup is by SHA-256 (an index of hashes): timing reveals nothing about the token.
		const owner = await this.store.ownerOfTokenHash(await sha256Hex(token));
		return owner && principalOf(owner);
	}

	/** A caller without credentials (a request whose bearer is not a platform token, like an asset upload token). */
	tokenlessSession(): Session {
		return { openMode: this.openMode, principal: ANONYMOUS, sessionId: null, rejectedToken: false };
	}

	/** The caller of `request`: a Bearer token first, then the session cookie, then open mode. */
	async session(request: Request): Promise<Session> {
		const openMode = this.openMode;
		const bearer = bearerToken(request.headers);
		if (bearer !== null) {
			const principal = await this.principalOfToken(bearer);
			return { openMode, principal: principal ?? ANONYMOUS, sessionId: null, rejectedToken: principal === null };
		}
		const sessionId = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
		if (sessionId?.startsWith(SESSION_ID_PREFIX)) {
			const owner = await this.store.ownerOfSessionHash(await sha256Hex(sessionId));
			const { adminToken } = this.config;
			const valid =
				owner && (owner.customer !== null || (adminToken !== null && owner.adminKey === (await adminKeyOf(adminToken))));
			if (valid) return { openMode, principal: principalOf(owner), sessionId, rejectedToken: false };
		}
		return { openMode, principal: openMode ? OPERATOR : ANONYMOUS, sessionId: null, rejectedToken: false };
	}

	/** Opens a browser session for the holder of `token`; null when the token is not valid. */
	async signIn(token: string): Promise<{ sessionId: string; principal: Principal } | null> {
		const principal = await this.principalOfToken(token);
		if (!principal) return null;
		const sessionId = randomCredential(SESSION_ID_PREFIX);
		const owner =
			principal.kind === 'customer'
				? { customerId: principal.customerId, tokenId: principal.tokenId, adminKey: null }
				: { customerId: null, tokenId: null, adminKey: await adminKeyOf(this.config.adminToken!) };
		const expiresAt = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
		await this.store.insertSession(await sha256Hex(sessionId), owner, expiresAt);
		return { sessionId, principal };
	}

	async signOut(sessionId: string): Promise<void> {
		await this.store.deleteSession(await sha256Hex(sessionId));
	}

	/** Ends every browser session of `principal` (a customer's, or all of the operator's). */
	async signOutEverywhere(principal: Principal): Promise<void> {
		if (principal.kind === 'anonymous') return;
		await this.store.deleteSessionsOf(principal.kind === 'customer' ? principal.customerId : null);
	}
}

/** Options for the session cookie (SvelteKit's `cookies.set`): host-only, HttpOnly, SameSite=Strict. */
export function sessionCookieOptions(url: URL) {
	return {
		path: '/',
		httpOnly: true,
		sameSite: 'strict' as const,
		secure: url.protocol === 'https:',
		maxAge: SESSION_TTL_SECONDS
	};
}

/** Whether a Bearer token is one of the platform's: the admin token, or shaped like a customer token (`wfp_…`). */
export function isPlatformBearer(token: string, config: PlatformConfig): boolean {
	return token.startsWith(API_TOKEN_PREFIX) || (config.adminToken !== null && safeEqual(token, config.adminToken));
}
