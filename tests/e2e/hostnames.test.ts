// Workers on their own origins, against the app started as `npm start` starts it (PLATFORM_HOST defaults
// to localhost:<port>): subdomains over HTTP and in Chromium (which sends *.localhost to loopback), custom
// hostnames by Host header.
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { SESSION_COOKIE } from '$lib/server/auth';
import { useBrowser } from './browser';
import { useApp } from './use-app';

const TOKEN = 'hostnames-e2e-admin-token';
const app = useApp({ PLATFORM_ADMIN_TOKEN: TOKEN });
let admin: PlatformClient;
const port = () => new URL(app.url).port;

// Sets a cookie of its own, and shows the cookies the browser sent it and the ones its page can read.
const jar = `export default { fetch(request) {
	const sent = request.headers.get('cookie');
	return new Response(\`<!doctype html><title>jar</title><script>
		let seen; try { seen = document.cookie; } catch (e) { seen = 'blocked: ' + e.name; }
		document.title = 'done'; window.report = { sent: \${JSON.stringify(JSON.stringify(sent))}, seen };
	</script>\`, { headers: { 'content-type': 'text/html', 'set-cookie': 'mine=1; Path=/' } });
} }`;

/** GET with an explicit Host header (fetch cannot set one), to the app's own address. */
function getWithHost(host: string, path = '/'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
	return new Promise((resolve, reject) => {
		const call = httpRequest({ host: '127.0.0.1', port: port(), path, headers: { host } }, (response) => {
			let body = '';
			response.on('data', (chunk) => (body += chunk));
			response.on('end', () => resolve({ status: response.statusCode!, body, headers: response.headers }));
		});
		call.on('error', reject);
		call.end();
	});
}

beforeAll(async () => {
	admin = createPlatformClient(app.url, { token: TOKEN });
	await admin.workers.upload.mutate({ name: 'jar', code: jar });
	await admin.workers.upload.mutate({ name: 'plain', code: 'export default { fetch: (r) => new Response("plain " + new URL(r.url).pathname) }' });
});

describe('Workers on their own origins', () => {
	it('answers <name>.localhost:<port> like /user-workers/<name>/, path unchanged, and lists the host URL', async () => {
		const own = await getWithHost(`plain.localhost:${port()}`, '/any/path?q=1');
		expect(own).toMatchObject({ status: 200, body: 'plain /any/path' });
		expect(await (await fetch(`${app.url}/user-workers/plain/any/path`)).text()).toBe('plain /any/path');
		const record = await admin.workers.get.query({ name: 'plain' });
		expect(record.hostUrl).toBe(`http://plain.localhost:${port()}/`);
		expect((await getWithHost(`nobody.localhost:${port()}`)).status).toBe(404);
	});

	it('serves an attached custom hostname, refuses conflicts and reserved hosts, and stops when detached', async () => {
		expect((await getWithHost('shop.example')).body).not.toContain('plain');
		await admin.workers.hostnames.add.mutate({ name: 'plain', hostname: 'shop.example' });
		expect(await getWithHost('shop.example', '/cart')).toMatchObject({ status: 200, body: 'plain /cart' });
		const taken = await admin.workers.hostnames.add.mutate({ name: 'jar', hostname: 'shop.example' }).catch((e) => e);
		expect(taken.data.code).toBe('CONFLICT');
		const reserved = await admin.workers.hostnames.add.mutate({ name: 'jar', hostname: 'x.localhost' }).catch((e) => e);
		expect(reserved.data.code).toBe('BAD_REQUEST');
		expect(reserved.message).toContain('belongs to the platform');
		await admin.workers.hostnames.remove.mutate({ hostname: 'shop.example' });
		expect((await getWithHost('shop.example', '/cart')).body).not.toContain('plain');
	});

	describe('in the browser', () => {
		const browser = useBrowser();

		it("keeps a Worker's own cookie on its own origin, never sends it the platform's session, and still sandboxes the path form", async () => {
			const context = await browser().newContext();
			try {
				const page = await context.newPage();
				// Signed in on the platform's host (localhost:<port>): a host-only session cookie.
				await page.goto(`http://localhost:${port()}/login`);
				await page.getByLabel('Token').fill(TOKEN);
				await Promise.all([page.waitForURL(`http://localhost:${port()}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
				expect((await context.cookies(`http://localhost:${port()}/`)).map((c) => c.name)).toContain(SESSION_COOKIE);

				const report = async (url: string) => {
					await page.goto(url);
					await page.waitForFunction(() => document.title === 'done');
					return page.evaluate(() => (window as unknown as { report: { sent: string; seen: string } }).report);
				};
				await report(`http://jar.localhost:${port()}/`);
				const second = await report(`http://jar.localhost:${port()}/`);
				expect(JSON.parse(second.sent)).toBe('mine=1'); // its own cookie came back, and nothing of the platform's
				expect(second.seen).toBe('mine=1');

				const shared = await report(`http://localhost:${port()}/user-workers/jar/`);
				expect(JSON.parse(shared.sent)).toBeNull(); // the platform's session is stripped, and no cookie was set here
				expect(shared.seen).toMatch(/^blocked: /);
				expect((await context.cookies(`http://localhost:${port()}/`)).map((c) => c.name)).not.toContain('mine');
			} finally {
				await context.close();
			}
		});
	});
});
