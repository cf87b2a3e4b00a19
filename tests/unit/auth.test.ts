import { describe, expect, it } from 'vitest';
import {
	NO_TOKEN_ON_CLOUDFLARE_MESSAGE,
	refusalMessage,
	SESSION_COOKIE,
	UNAUTHENTICATED_MESSAGE
} from '$lib/server/auth';
import { userWorkerRequestHeaders } from '$lib/server/user-request';
import { readConfig } from '$lib/server/config';
import { AuthFailureThrottle, clientAddressOf } from '$lib/server/throttle';
import { platformPath } from '$lib/server/redirects';

const TOKEN = 'correct-horse-battery-staple';
const withToken = readConfig({ PLATFORM_ADMIN_TOKEN: TOKEN } as Env);
const open = readConfig({} as Env);
const cloudflareOpen = readConfig({
	PLATFORM_BACKEND: 'cloudflare',
	CLOUDFLARE_ACCOUNT_ID: 'a',
	CLOUDFLARE_API_TOKEN: 'b',
	DISPATCH_NAMESPACE: 'c'
} as Env);

describe('refusalMessage', () => {
	it('tells callers how to authenticate, and a cloudflare operator without a token to set one', () => {
		expect(refusalMessage(withToken)).toBe(UNAUTHENTICATED_MESSAGE);
		expect(refusalMessage(open)).toBe(UNAUTHENTICATED_MESSAGE);
		expect(refusalMessage(cloudflareOpen)).toBe(NO_TOKEN_ON_CLOUDFLARE_MESSAGE);
	});
});

describe('AuthFailureThrottle', () => {
	it('locks a client out after maxFailures in a window, and lets it in once the window has passed', () => {
		const throttle = new AuthFailureThrottle({ maxFailures: 3, windowMs: 60_000, maxClients: 100 });
		for (let i = 0; i < 2; i++) throttle.recordFailure('a', 1000);
		expect(throttle.retryAfterSeconds('a', 1000)).toBe(0);
		throttle.recordFailure('a', 1000);
		expect(throttle.retryAfterSeconds('a', 1000)).toBe(60);
		expect(throttle.retryAfterSeconds('b', 1000)).toBe(0);
		expect(throttle.retryAfterSeconds('a', 61_000)).toBe(0);
	});

	it('remembers at most maxClients addresses', () => {
		const throttle = new AuthFailureThrottle({ maxFailures: 1, windowMs: 60_000, maxClients: 2 });
		for (const client of ['a', 'b', 'c']) throttle.recordFailure(client, 0);
		expect(throttle.size).toBe(2);
		expect(throttle.retryAfterSeconds('a', 0)).toBe(0); // the oldest was forgotten
		expect(throttle.retryAfterSeconds('c', 0)).toBeGreaterThan(0);
	});

	it('counts clients by the trusted header only: a header any client sends cannot reset the count', () => {
		const spoofed = (ip: string) => new Request('http://platform.test/', { headers: { 'cf-connecting-ip': ip } });
		expect(clientAddressOf(spoofed('1.1.1.1'), null)).toBe(clientAddressOf(spoofed('2.2.2.2'), null));
		expect(clientAddressOf(spoofed('1.1.1.1'), 'cf-connecting-ip')).toBe('1.1.1.1');
	});
});

describe('platformPath', () => {
	const url = new URL('http://platform.test/login');
	it('keeps paths of this platform and refuses anything a browser would take elsewhere', () => {
		expect(platformPath('/workers/a?x=1#y', url)).toBe('/workers/a?x=1#y');
		for (const away of ['https://evil.example/', '//evil.example', '/.//evil.example', '/\\evil.example', '/./\\evil.example', 'javascript:alert(1)', null, ''])
			expect(platformPath(away, url)).toBe('/');
	});
});

describe('userWorkerRequestHeaders: the platform\'s credentials', () => {
	it("removes the platform's session cookie and keeps the Worker's own cookies", () => {
		const headers = new Headers({ cookie: `theirs=1; ${SESSION_COOKIE}=abc.def; also=2` });
		expect(userWorkerRequestHeaders(headers, withToken).get('cookie')).toBe('theirs=1; also=2');
		expect(userWorkerRequestHeaders(new Headers({ cookie: `${SESSION_COOKIE}=x` }), withToken).has('cookie')).toBe(false);
	});

	it('removes Authorization only when it carries the admin token or a platform token', () => {
		const admin = new Headers({ authorization: `Bearer ${TOKEN}`, 'x-other': 'kept' });
		const cleaned = userWorkerRequestHeaders(admin, withToken);
		expect(cleaned.has('authorization')).toBe(false);
		expect(cleaned.get('x-other')).toBe('kept');
		const customerToken = new Headers({ authorization: 'Bearer wfp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
		expect(userWorkerRequestHeaders(customerToken, withToken).has('authorization')).toBe(false);
		const theirs = new Headers({ authorization: 'Bearer the-workers-own-api-key' });
		expect(userWorkerRequestHeaders(theirs, withToken).get('authorization')).toBe('Bearer the-workers-own-api-key');
	});
});
