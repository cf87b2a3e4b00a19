import { describe, expect, it } from 'vitest';
import { hardenUserResponse, mergeContentSecurityPolicy } from '$lib/server/user-response';

const SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-modals';

describe('mergeContentSecurityPolicy', () => {
	it('sandboxes a response that has no policy', () => {
		expect(mergeContentSecurityPolicy(null)).toBe(SANDBOX);
		expect(mergeContentSecurityPolicy('')).toBe(SANDBOX);
	});
	it("adds the sandbox to the Worker's own directives", () => {
		expect(mergeContentSecurityPolicy("default-src 'self'; img-src *")).toBe(`default-src 'self'; img-src *; ${SANDBOX}`);
	});
	it("keeps only the sandbox flags both allow: a Worker's sandbox can narrow ours, never widen it", () => {
		expect(mergeContentSecurityPolicy('sandbox allow-same-origin allow-scripts allow-top-navigation')).toBe(
			'sandbox allow-scripts'
		);
		expect(mergeContentSecurityPolicy("script-src 'none'; sandbox")).toBe("script-src 'none'; sandbox");
		expect(mergeContentSecurityPolicy('SANDBOX ALLOW-FORMS ALLOW-SAME-ORIGIN')).toBe('sandbox allow-forms');
	});
	it('sandboxes every one of several policies', () => {
		expect(mergeContentSecurityPolicy("default-src 'self', sandbox allow-same-origin")).toBe(
			`default-src 'self'; ${SANDBOX}, sandbox`
		);
	});
});

describe('hardenUserResponse', () => {
	it('drops cookies, Clear-Site-Data and hop-by-hop headers; keeps status, body and the rest', async () => {
		const headers = new Headers([
			['set-cookie', 'wfp_session=forged; Path=/'],
			['set-cookie', 'theirs=1'],
			['clear-site-data', '"cookies"'],
			['connection', 'x-hop, keep-alive'],
			['keep-alive', 'timeout=5'],
			['x-hop', 'only for this connection'],
			['proxy-authenticate', 'Basic'],
			['trailer', 'x-checksum'],
			['upgrade', 'h2c'],
			['x-kept', 'yes'],
			['content-type', 'text/plain']
		]);
		const hardened = hardenUserResponse(new Response('body', { status: 418, statusText: 'Teapot', headers }));
		expect(hardened.status).toBe(418);
		expect(hardened.statusText).toBe('Teapot');
		expect(await hardened.text()).toBe('body');
		expect([...hardened.headers].sort()).toEqual([
			['content-security-policy', SANDBOX],
			['content-type', 'text/plain'],
			['x-kept', 'yes']
		]);
	});
	it("merges the Worker's CSP instead of replacing it", () => {
		const response = new Response(null, { headers: { 'content-security-policy': 'sandbox allow-same-origin allow-forms' } });
		expect(hardenUserResponse(response).headers.get('content-security-policy')).toBe('sandbox allow-forms');
	});
});
