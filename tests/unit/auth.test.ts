import { describe, expect, it } from 'vitest';
import {
	createSessionValue,
	NO_TOKEN_ON_CLOUDFLARE_MESSAGE,
	readSession,
	refusalMessage,
	SESSION_COOKIE,
	SESSION_TTL_SECONDS,
	UNAUTHENTICATED_MESSAGE,
	verifySessionValue,
	withoutPlatformCredentials
} from '$lib/server/auth';
import { readConfig } from '$lib/server/config';

const TOKEN = 'correct-horse-battery-staple';
const withToken = readConfig({ PLATFORM_ADMIN_TOKEN: TOKEN } as Env);
const open = readConfig({} as Env);
const cloudflareOpen = readConfig({
	PLATFORM_BACKEND: 'cloudflare',
	CLOUDFLARE_ACCOUNT_ID: 'a',
	CLOUDFLARE_API_TOKEN: 'b',
	DISPATCH_NAMESPACE: 'c'
} as Env);
const request = (headers: Record<string, string> = {}) => new Request('http://platform.test/', { headers });

describe('sessions', () => {
	it('runs the local backend open, and the cloudflare backend closed, when no token is configured', async () => {
		expect(await readSession(request(), open)).toEqual({ openMode: true, authenticated: true });
		expect(await readSession(request(), cloudflareOpen)).toEqual({ openMode: false, authenticated: false });
		expect(refusalMessage(cloudflareOpen)).toBe(NO_TOKEN_ON_CLOUDFLARE_MESSAGE);
		expect(refusalMessage(withToken)).toBe(UNAUTHENTICATED_MESSAGE);
	});

	it('accepts the Bearer token and nothing else', async () => {
		expect(await readSession(request(), withToken)).toEqual({ openMode: false, authenticated: false });
		expect((await readSession(request({ authorization: `Bearer ${TOKEN}` }), withToken)).authenticated).toBe(true);
		expect((await readSession(request({ authorization: `Bearer ${TOKEN}x` }), withToken)).authenticated).toBe(false);
		expect((await readSession(request({ authorization: `Basic ${TOKEN}` }), withToken)).authenticated).toBe(false);
	});

	it('accepts a signed session cookie until it expires, and only for the token that signed it', async () => {
		const now = Date.UTC(2026, 0, 1);
		const value = await createSessionValue(TOKEN, now);
		expect(value).not.toContain(TOKEN);
		const cookie = { cookie: `other=1; ${SESSION_COOKIE}=${value}` };
		expect((await readSession(request(cookie), withToken, now)).authenticated).toBe(true);
		expect(await verifySessionValue(value, TOKEN, now + (SESSION_TTL_SECONDS - 1) * 1000)).toBe(true);
		expect(await verifySessionValue(value, TOKEN, now + SESSION_TTL_SECONDS * 1000)).toBe(false);
		expect(await verifySessionValue(value, 'another token', now)).toBe(false);

		const [expires, mac] = value.split('.');
		expect(await verifySessionValue(`${Number(expires) + 3600}.${mac}`, TOKEN, now)).toBe(false);
		expect(await verifySessionValue(`${expires}.${mac.slice(1)}A`, TOKEN, now)).toBe(false);
		expect(await verifySessionValue('garbage', TOKEN, now)).toBe(false);
	});
});

describe('withoutPlatformCredentials', () => {
	it("removes the platform's session cookie and keeps the Worker's own cookies", () => {
		const headers = new Headers({ cookie: `theirs=1; ${SESSION_COOKIE}=abc.def; also=2` });
		expect(withoutPlatformCredentials(headers, withToken).get('cookie')).toBe('theirs=1; also=2');
		expect(withoutPlatformCredentials(new Headers({ cookie: `${SESSION_COOKIE}=x` }), withToken).has('cookie')).toBe(false);
	});

	it('removes Authorization only when it carries the admin token', () => {
		const admin = new Headers({ authorization: `Bearer ${TOKEN}`, 'x-other': 'kept' });
		const cleaned = withoutPlatformCredentials(admin, withToken);
		expect(cleaned.has('authorization')).toBe(false);
		expect(cleaned.get('x-other')).toBe('kept');
		const theirs = new Headers({ authorization: 'Bearer the-workers-own-api-key' });
		expect(withoutPlatformCredentials(theirs, withToken).get('authorization')).toBe('Bearer the-workers-own-api-key');
	});
});
