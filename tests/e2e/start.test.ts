// What a new user meets on `npm start`: a quiet start (no download of Cloudflare's Request.cf object, so no
// warning or stack trace offline) and pages whose favicon request finds one.
import { describe, expect, it } from 'vitest';
import { useApp } from './use-app';

// NODE_ENV as in a user's shell: vitest sets it to "test", which alone keeps Miniflare from downloading.
const app = useApp({ NODE_ENV: 'production' });

describe('npm start, first impressions', () => {
	it('prints only its ready line while starting and serving a page', async () => {
		expect((await fetch(`${app.url}/`)).status).toBe(200);
		expect(app.output().trim().split('\n')).toEqual([expect.stringMatching(/^workers-platform is ready on http:\/\/127\.0\.0\.1:\d+ /)]);
	});

	it('serves a favicon, so no page load logs a 404 for it', async () => {
		const response = await fetch(`${app.url}/favicon.ico`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^image\//);
		const icon = new Uint8Array(await response.arrayBuffer());
		expect([...icon.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
	});
});
