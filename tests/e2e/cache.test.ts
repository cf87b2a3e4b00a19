// Caching on the dispatch path, end to end: what a user Worker answers is never served from the
// platform's own response cache, so cacheable responses cannot outlive a re-upload or a delete.
import { expect, it } from 'vitest';
import { useApp } from './use-app';

const app = useApp();

const cacheable = (version: string) =>
	`export default { fetch: () => new Response(${JSON.stringify(version)}, { headers: { 'cache-control': 'public, max-age=3600' } }) }`;

async function get(path: string): Promise<{ status: number; body: string; cacheControl: string | null }> {
	const response = await fetch(app.url + path);
	return { status: response.status, body: await response.text(), cacheControl: response.headers.get('cache-control') };
}

it('serves a re-upload on the very next request even when the old version said it was cacheable for an hour', async () => {
	await app.client.workers.upload.mutate({ name: 'cacheable', code: cacheable('one') });
	expect(await get('/user-workers/cacheable/')).toEqual({ status: 200, body: 'one', cacheControl: 'public, max-age=3600' });
	expect((await get('/user-workers/cacheable/')).body).toBe('one');

	await app.client.workers.upload.mutate({ name: 'cacheable', code: cacheable('two') });
	expect((await get('/user-workers/cacheable/')).body).toBe('two');
	// The Worker's root without its trailing slash is the same Worker.
	expect((await get('/user-workers/cacheable')).body).toBe('two');

	await app.client.workers.delete.mutate({ name: 'cacheable' });
	expect((await get('/user-workers/cacheable/')).status).toBe(404);
});
