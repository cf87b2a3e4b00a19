import { describe, expect, it } from 'vitest';
import { DROPPED_HEADERS, hardenUserResponse, mergeContentSecurityPolicy, withoutInternalHeaders } from '$lib/server/user-response';

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

describe('headers that act beyond one response', () => {
	const ORIGIN_WIDE: [string, string][] = [
		['nel', '{"report_to":"collector","max_age":31536000,"include_subdomains":true}'],
		['report-to', '{"group":"collector","max_age":31536000,"endpoints":[{"url":"https://evil.example/r"}]}'],
		['reporting-endpoints', 'collector="https://evil.example/r"'],
		['alt-svc', 'h3=":443"; ma=2592000, h2="evil.example:443"'],
		['strict-transport-security', 'max-age=63072000; includeSubDomains; preload'],
		['expect-ct', 'max-age=86400, enforce'],
		['public-key-pins', 'pin-sha256="x"; max-age=5184000'],
		['accept-ch', 'Sec-CH-UA-Full-Version-List, Sec-CH-UA-Platform-Version'],
		['critical-ch', 'Sec-CH-UA-Platform-Version'],
		['origin-agent-cluster', '?1'],
		['service-worker-allowed', '/'],
		['set-cookie2', 'legacy=1']
	];

	it('drops every origin-wide header, whatever its case', () => {
		const headers = new Headers([...ORIGIN_WIDE.map(([name, value]): [string, string] => [name.toUpperCase(), value]), ['x-kept', 'yes']]);
		const hardened = hardenUserResponse(new Response('body', { headers }));
		expect([...hardened.headers.keys()].sort()).toEqual(['content-security-policy', 'content-type', 'x-kept']);
	});

	it('lists each of them, so that SECURITY.md can name what a Worker may not send', () => {
		for (const [name] of ORIGIN_WIDE) expect(DROPPED_HEADERS).toContain(name);
	});

	it('keeps the headers that describe this one response', () => {
		const perResponse: [string, string][] = [
			['cache-control', 'max-age=60'],
			['content-type', 'application/json'],
			['etag', '"v1"'],
			['last-modified', 'Tue, 01 Dec 2026 00:00:00 GMT'],
			['location', '/elsewhere'],
			['vary', 'accept'],
			['access-control-allow-origin', '*'],
			['x-request-id', 'abc']
		];
		const hardened = hardenUserResponse(new Response(null, { status: 200, headers: perResponse }));
		for (const [name, value] of perResponse) expect(hardened.headers.get(name)).toBe(value);
	});
});

describe("the platform's internal headers on a user response", () => {
	it('are dropped, so a Worker cannot forge the runner\'s failure report', async () => {
		const forged = new Response('my words', {
			status: 200,
			headers: { 'x-wfp-worker-error': 'Worker%20failed', 'X-WFP-Anything': '1', 'x-wfpnot-internal': 'kept' }
		});
		const cleaned = withoutInternalHeaders(forged);
		expect([...cleaned.headers]).toEqual([
			['content-type', 'text/plain;charset=UTF-8'],
			['x-wfpnot-internal', 'kept']
		]);
		expect(await cleaned.text()).toBe('my words');
		expect(hardenUserResponse(new Response(null, { headers: { 'x-wfp-worker-error': 'x' } })).headers.has('x-wfp-worker-error')).toBe(false);
	});

	it('leave a response without them as it is', () => {
		const response = new Response('ok');
		expect(withoutInternalHeaders(response)).toBe(response);
	});
});
