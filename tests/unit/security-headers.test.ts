// Headers on the platform's own responses (src/lib/server/security-headers.ts).
import { describe, expect, it } from 'vitest';
import { NON_PAGE_CSP, withPlatformSecurityHeaders } from '$lib/server/security-headers';

describe('withPlatformSecurityHeaders', () => {
	it('forbids framing and sniffing, trims the referrer, and locks down responses that are not pages', async () => {
		const secured = withPlatformSecurityHeaders(Response.json({ ok: true }, { status: 201 }));
		expect(secured.status).toBe(201);
		expect(await secured.json()).toEqual({ ok: true });
		expect(secured.headers.get('x-frame-options')).toBe('DENY');
		expect(secured.headers.get('x-content-type-options')).toBe('nosniff');
		expect(secured.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(secured.headers.get('content-security-policy')).toBe(NON_PAGE_CSP);
		expect(NON_PAGE_CSP).toContain("frame-ancestors 'none'");
	});

	it("keeps a page's own policy (SvelteKit's, with its nonce)", () => {
		const page = new Response('<html>', { headers: { 'content-security-policy': "script-src 'self' 'nonce-abc'; frame-ancestors 'none'" } });
		expect(withPlatformSecurityHeaders(page).headers.get('content-security-policy')).toBe("script-src 'self' 'nonce-abc'; frame-ancestors 'none'");
	});

	it('secures a response whose headers are immutable', async () => {
		const immutable = Response.redirect('http://platform.test/login', 303);
		const secured = withPlatformSecurityHeaders(immutable);
		expect(secured.status).toBe(303);
		expect(secured.headers.get('location')).toBe('http://platform.test/login');
		expect(secured.headers.get('x-frame-options')).toBe('DENY');
	});
});
