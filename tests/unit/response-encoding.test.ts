import { describe, expect, it } from 'vitest';
import { negotiateEncoding } from '$lib/server/response-encoding';

const text = (headers: Record<string, string> = {}) => new Response('hello', { headers: { 'content-type': 'text/plain', ...headers } });
const encodingOf = (acceptEncoding: string | null, response: Response) => negotiateEncoding(acceptEncoding, response).headers.get('content-encoding');

describe('negotiateEncoding: the response encoding chosen for the client, as Cloudflare’s edge chooses it', () => {
	it('compresses a compressible type with the first coding the client prefers', () => {
		expect(encodingOf('gzip', text())).toBe('gzip');
		expect(encodingOf('br;q=0.5, gzip', text())).toBe('gzip');
		expect(encodingOf('gzip;q=0.2, br', text())).toBe('br');
		expect(encodingOf('gzip', text({ 'content-type': 'application/json; charset=utf-8' }))).toBe('gzip');
	});

	it('leaves the response as it is when the client sent no Accept-Encoding or a type is not compressed', () => {
		expect(encodingOf(null, text())).toBeNull();
		expect(encodingOf(null, text({ 'content-encoding': 'gzip' }))).toBe('gzip');
		expect(encodingOf('gzip', text({ 'content-type': 'image/png' }))).toBeNull();
		expect(encodingOf('gzip', text({ 'content-encoding': 'deflate' }))).toBe('deflate');
	});

	it('never sends a coding the client did not accept', () => {
		expect(encodingOf('identity', text({ 'content-encoding': 'gzip' }))).toBeNull();
		expect(encodingOf('deflate', text({ 'content-encoding': 'br' }))).toBeNull();
		expect(encodingOf('br', text({ 'content-encoding': 'gzip' }))).toBe('br');
	});

	it('answers 415 when the client refuses every coding the response can have', () => {
		const refused = negotiateEncoding('identity;q=0, deflate', text());
		expect(refused.status).toBe(415);
		expect(refused.headers.get('accept-encoding')).toBe('br, gzip');
	});
});
