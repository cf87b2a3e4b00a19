import { describe, expect, it } from 'vitest';
import { isCrossSiteWrite } from '$lib/server/csrf';

const url = new URL('http://localhost:8787/api/trpc/workers.upload');
const request = (method: string, headers: Record<string, string> = {}) => new Request(url, { method, headers });

describe('isCrossSiteWrite', () => {
	it('allows reads from anywhere', () => {
		expect(isCrossSiteWrite(request('GET', { origin: 'https://evil.example' }), url)).toBe(false);
	});
	it('allows same-origin writes and clients that send no Origin (CLI, curl)', () => {
		expect(isCrossSiteWrite(request('POST', { origin: 'http://localhost:8787' }), url)).toBe(false);
		expect(isCrossSiteWrite(request('POST'), url)).toBe(false);
	});
	it('refuses writes from another origin, from sandboxed pages, and marked cross-site', () => {
		expect(isCrossSiteWrite(request('POST', { origin: 'https://evil.example' }), url)).toBe(true);
		expect(isCrossSiteWrite(request('POST', { origin: 'null' }), url)).toBe(true);
		expect(isCrossSiteWrite(request('DELETE', { 'sec-fetch-site': 'cross-site' }), url)).toBe(true);
	});
});
