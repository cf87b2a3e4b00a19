// Issue 17's findings 7, 8 and 9 reproduced from the outside, against the app as `npm start` runs it:
// headers a user Worker sends that act on the whole origin or forge the runner's failure report,
// credentials of a gateway in front of the platform, the platform's own pages in a frame, and absolute
// URLs taken from the request's Host.
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ConsoleMessage } from 'playwright-core';
import { useApp } from './use-app';
import { launchBrowser } from './browser';

const app = useApp({ PLATFORM_CREDENTIAL_HEADERS: 'x-gateway-key' });

/** Response bodies are whatever the Worker under test returned. */
const json = (response: Response): Promise<any> => response.json();

const ORIGIN_WIDE_HEADERS = {
	nel: '{"report_to":"collector","max_age":31536000,"include_subdomains":true}',
	'report-to': '{"group":"collector","max_age":31536000,"endpoints":[{"url":"https://evil.example/reports"}]}',
	'reporting-endpoints': 'collector="https://evil.example/reports"',
	'alt-svc': 'h2="evil.example:443"; ma=2592000',
	'strict-transport-security': 'max-age=63072000; includeSubDomains',
	'accept-ch': 'Sec-CH-UA-Full-Version-List',
	'critical-ch': 'Sec-CH-UA-Full-Version-List',
	'origin-agent-cluster': '?1',
	'service-worker-allowed': '/'
};

describe("a user Worker's response headers", () => {
	it('cannot forge the runner\'s "Worker failed" report, nor set headers that act on the whole origin', async () => {
		const forged = encodeURIComponent('Your session expired. Sign in again at https://evil.example/login');
		await app.client.workers.upload.mutate({
			name: 'forger',
			code: `export default {
				fetch(request) {
					const status = new URL(request.url).pathname === '/missing' ? 404 : 200;
					return new Response('my own words', {
						status,
						headers: { 'x-wfp-worker-error': ${JSON.stringify(forged)}, 'x-wfp-anything': '1', 'x-kept': 'yes', ...${JSON.stringify(ORIGIN_WIDE_HEADERS)} }
					});
				}
			}`
		});
		for (const [path, status] of [
			['/', 200],
			['/missing', 404]
		] as const) {
			const response = await fetch(`${app.url}/user-workers/forger${path}`);
			expect(response.status).toBe(status);
			expect(await response.text()).toBe('my own words');
			expect(response.headers.get('x-kept')).toBe('yes');
			for (const name of ['x-wfp-worker-error', 'x-wfp-anything', ...Object.keys(ORIGIN_WIDE_HEADERS)])
				expect(response.headers.get(name), name).toBeNull();
		}
		// A Worker that really fails still gets the platform's page.
		await app.client.workers.upload.mutate({ name: 'thrower', code: 'export default { fetch() { throw new Error("real failure") } }' });
		const failed = await fetch(`${app.url}/user-workers/thrower/`);
		expect(failed.status).toBe(502);
		expect(await failed.text()).toContain('real failure');
	});
});

describe("the caller's credentials", () => {
	it("never reach a user Worker: Cloudflare Access's headers and cookies, and PLATFORM_CREDENTIAL_HEADERS", async () => {
		await app.client.workers.upload.mutate({
			name: 'snoop',
			code: `export default { fetch: (request) => Response.json(Object.fromEntries(request.headers)) }`
		});
		const seen = await json(
			await fetch(`${app.url}/user-workers/snoop/`, {
				headers: {
					'cf-access-jwt-assertion': 'eyJhbGciOiJSUzI1NiJ9.access.token',
					'cf-access-client-id': 'service.access',
					'cf-access-client-secret': 'service-secret',
					'x-gateway-key': 'gateway-secret',
					cookie: 'CF_Authorization=eyJhbGciOiJSUzI1NiJ9.access.token; theirs=1; CF_Binding=bound',
					'x-custom': 'kept'
				}
			})
		);
		expect(seen['x-custom']).toBe('kept');
		expect(seen.cookie).toBe('theirs=1');
		for (const name of ['cf-access-jwt-assertion', 'cf-access-client-id', 'cf-access-client-secret', 'x-gateway-key'])
			expect(seen[name], name).toBeUndefined();
		expect(JSON.stringify(seen)).not.toMatch(/access\.token|service-secret|gateway-secret|bound/);
	});
});

describe("the platform's own pages", () => {
	it('carry a Content-Security-Policy that forbids framing, nosniff and a Referrer-Policy; user Workers do not get them', async () => {
		for (const path of ['/', '/upload', '/login', '/api/trpc/workers.list', '/no-such-page']) {
			const response = await fetch(app.url + path);
			expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
			expect(response.headers.get('x-frame-options'), path).toBe('DENY');
			expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(response.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
		}
		const page = (await fetch(`${app.url}/upload`)).headers.get('content-security-policy')!;
		expect(page).toMatch(/script-src 'self' 'nonce-[^']+'/);
		expect(page).toContain("object-src 'none'");

		await app.client.workers.upload.mutate({ name: 'page', code: 'export default { fetch: () => new Response("<h1>hi</h1>", { headers: { "content-type": "text/html" } }) }' });
		const user = await fetch(`${app.url}/user-workers/page/`);
		expect(user.headers.get('content-security-policy')).toBe('sandbox allow-scripts allow-forms allow-popups allow-modals');
		expect(user.headers.get('x-frame-options')).toBeNull();
	});

	it('run under that policy in a browser (CodeMirror included) and refuse to be framed', async () => {
		const browser = await launchBrowser();
		try {
			const page = await browser.newPage();
			const refusals: string[] = [];
			page.on('console', (message: ConsoleMessage) => {
				if (/Content Security Policy/i.test(message.text())) refusals.push(message.text());
			});
			await page.goto(`${app.url}/upload`);
			await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
			await page.locator('.cm-content').click();
			await page.keyboard.press('ControlOrMeta+A');
			await page.keyboard.insertText('export default {}');
			expect(await page.locator('.cm-content').innerText()).toBe('export default {}');
			expect(refusals).toEqual([]);

			// Another site frames the platform's delete page: the browser refuses to show it.
			await page.setContent(`<iframe src="${app.url}/upload"></iframe>`);
			const frame = page.frames()[1];
			await frame.waitForLoadState();
			await expect.poll(() => refusals.some((text) => text.includes("frame-ancestors 'none'")), { timeout: 10_000 }).toBe(true);
			expect(await frame.locator('.cm-content').count()).toBe(0);
		} finally {
			await browser.close();
		}
	});
});

describe('absolute URLs', () => {
	it("come from the platform's origin (PLATFORM_ORIGIN, by default the address npm start serves), never from Host", async () => {
		await app.client.workers.upload.mutate({ name: 'hosted', code: 'export default { fetch: () => new Response("x") }' });
		const body = await new Promise<string>((resolve, reject) => {
			const input = encodeURIComponent(JSON.stringify({ name: 'hosted' }));
			const request = httpRequest(`${app.url}/api/trpc/workers.get?input=${input}`, { headers: { host: 'evil.example' } }, (response) => {
				let text = '';
				response.on('data', (chunk) => (text += chunk));
				response.on('end', () => resolve(text));
			});
			request.on('error', reject);
			request.end();
		});
		expect(JSON.parse(body).result.data.url).toBe(`${app.url}/user-workers/hosted/`);
	});
});
