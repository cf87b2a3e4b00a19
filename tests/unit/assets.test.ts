// The pure parts of static assets: path rules, content types, html_handling resolution and If-None-Match.
import { describe, expect, it } from 'vitest';
import { assetPathProblem, contentTypeOf, type AssetManifest } from '$lib/server/assets/manifest';
import { resolveAsset, serveAsset } from '$lib/server/assets/serve';

const file = (hash: string) => ({ hash: hash.repeat(64), size: 1, contentType: 'text/html; charset=utf-8' });
const manifest: AssetManifest = {
	owner: 'operator',
	files: { '/index.html': file('a'), '/about.html': file('b'), '/docs/index.html': file('c'), '/a b.txt': file('d') }
};

describe('static assets', () => {
	it('resolves paths as auto-trailing-slash does, without redirects', () => {
		expect(resolveAsset(manifest, '/')).toBe(manifest.files['/index.html']);
		expect(resolveAsset(manifest, '/about')).toBe(manifest.files['/about.html']);
		expect(resolveAsset(manifest, '/about.html')).toBe(manifest.files['/about.html']);
		expect(resolveAsset(manifest, '/docs')).toBe(manifest.files['/docs/index.html']);
		expect(resolveAsset(manifest, '/docs/')).toBe(manifest.files['/docs/index.html']);
		expect(resolveAsset(manifest, '/a%20b.txt')).toBe(manifest.files['/a b.txt']);
		expect(resolveAsset(manifest, '/about/')).toBeNull();
		expect(resolveAsset(manifest, '/nope')).toBeNull();
		expect(resolveAsset(manifest, '/%E0%A4%A')).toBeNull();
	});

	it('takes the content type from the extension', () => {
		expect(contentTypeOf('/x/index.HTML')).toBe('text/html; charset=utf-8');
		expect(contentTypeOf('/logo.png')).toBe('image/png');
		expect(contentTypeOf('/font.woff2')).toBe('font/woff2');
		expect(contentTypeOf('/Makefile')).toBe('application/octet-stream');
		expect(contentTypeOf('/.env')).toBe('application/octet-stream');
	});

	it('refuses paths that are not plain file paths', () => {
		expect(assetPathProblem('/ok/file.txt')).toBeNull();
		for (const path of ['relative.txt', '/dir/', '/a/../b', '/./a', '/a//b', '/a\\b', '/a?b', '/a#b', '/a\u0000b', `/${'x'.repeat(600)}`])
			expect(assetPathProblem(path), path).not.toBeNull();
	});

	it('answers 304 to a matching If-None-Match (weak, listed or *), 200 otherwise, and only GET and HEAD', async () => {
		const read = async () => new Response('x').body;
		const etag = `"${'a'.repeat(64)}"`;
		for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*'])
			expect((await serveAsset(new Request('http://x/', { headers: { 'if-none-match': ifNoneMatch } }), '/', manifest, read))?.status).toBe(304);
		const fresh = await serveAsset(new Request('http://x/', { headers: { 'if-none-match': '"other"' } }), '/', manifest, read);
		expect(fresh?.status).toBe(200);
		expect(fresh?.headers.get('etag')).toBe(etag);
		expect(await serveAsset(new Request('http://x/', { method: 'POST' }), '/', manifest, read)).toBeNull();
		expect(await serveAsset(new Request('http://x/'), '/', manifest, async () => null)).toBeNull();
	});
});
