// What a user Worker receives of its caller's request (src/lib/server/user-request.ts).
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '$lib/server/auth';
import { readConfig } from '$lib/server/config';
import { removeCookies, userWorkerRequestHeaders } from '$lib/server/user-request';

const TOKEN = 'correct-horse-battery-staple';
const behindAccess = readConfig({ PLATFORM_ADMIN_TOKEN: TOKEN, PLATFORM_CREDENTIAL_HEADERS: ' X-Gateway-Key ,x-team-sso,' } as Env);
const open = readConfig({} as Env);

describe('userWorkerRequestHeaders', () => {
	it("removes Cloudflare Access's credentials, its cookies, and the platform's own", () => {
		const headers = new Headers({
			'Cf-Access-Jwt-Assertion': 'eyJhbGciOi.signed.token',
			'Cf-Access-Client-Id': 'service-token.access',
			'Cf-Access-Client-Secret': 'service-secret',
			'Cf-Access-Authenticated-User-Email': 'operator@example.com',
			cookie: `CF_Authorization=eyJ.token.sig; theirs=1; ${SESSION_COOKIE}=123.abc; CF_Binding=b; CF_AppSession=s; cf_authorization=similar-but-theirs`,
			authorization: `Bearer ${TOKEN}`,
			'x-wfp-script': '{"forged":true}',
			'x-custom': 'kept',
			accept: 'text/html'
		});
		expect([...userWorkerRequestHeaders(headers, behindAccess)]).toEqual([
			['accept', 'text/html'],
			['cookie', 'theirs=1; cf_authorization=similar-but-theirs'],
			['x-custom', 'kept']
		]);
	});

	it('removes the headers named in PLATFORM_CREDENTIAL_HEADERS, whatever their case', () => {
		expect(behindAccess.credentialHeaders).toEqual(['x-gateway-key', 'x-team-sso']);
		const headers = new Headers({ 'X-GATEWAY-KEY': 'k', 'x-team-sso': 's', 'x-gateway-keys': 'not named, kept' });
		expect([...userWorkerRequestHeaders(headers, behindAccess)]).toEqual([['x-gateway-keys', 'not named, kept']]);
		expect(open.credentialHeaders).toEqual([]);
	});

	it("keeps the Worker's own credentials and drops an emptied Cookie header", () => {
		const headers = new Headers({ authorization: 'Bearer their-api-key', cookie: 'CF_Authorization=x' });
		expect([...userWorkerRequestHeaders(headers, open)]).toEqual([['authorization', 'Bearer their-api-key']]);
	});
});

describe('removeCookies', () => {
	it('removes only the named cookies, by exact name', () => {
		const headers = new Headers({ cookie: 'a=1;b=2 ; ;c=3=3; A=4' });
		removeCookies(headers, new Set(['a', 'b']));
		expect(headers.get('cookie')).toBe('c=3=3; A=4');
	});
});
