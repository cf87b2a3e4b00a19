// The security rules over HTTP and in Chromium, against the app started as `npm start` starts it with an
// admin token configured (SECURITY.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { createPlatformClient } from '$lib/trpc';
import { REJECTED_TOKEN_MESSAGE, SESSION_COOKIE, UNAUTHENTICATED_MESSAGE } from '$lib/server/auth';
import { startApp, type RunningApp } from './app';
import { launchBrowser } from './browser';

const TOKEN = 'e2e-admin-token-0123456789abcdef';
const SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-modals';

let app: RunningApp;
/** Response bodies are whatever the platform or the Worker under test returned. */
const json = (response: Response): Promise<any> => response.json();
const admin = () => createPlatformClient(app.url, { token: TOKEN });

beforeAll(async () => {
	app = await startApp({ PLATFORM_ADMIN_TOKEN: TOKEN });
});
afterAll(() => app?.stop());

/** What a browser's plain form post sends (otherwise SvelteKit answers form actions with JSON). */
const FORM_POST = { method: 'POST', headers: { accept: 'text/html' } };

const uploadBody = (name: string) =>
	JSON.stringify({ name, code: 'export default { fetch: () => new Response("planted") }' });

/** Signs in through the login form; returns the session cookie as `name=value`. */
async function signIn(): Promise<string> {
	const response = await fetch(`${app.url}/login?redirectTo=/somewhere`, {
		...FORM_POST,
		body: new URLSearchParams({ token: TOKEN }),
		redirect: 'manual'
	});
	expect(response.status).toBe(303);
	expect(response.headers.get('location')).toBe('/somewhere');
	const cookie = response.headers.get('set-cookie')!;
	expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=wfps_[A-Za-z0-9]{43};`));
	expect(cookie).toMatch(/HttpOnly/i);
	expect(cookie).toMatch(/SameSite=Strict/i);
	expect(cookie).toMatch(/Path=\//i);
	expect(cookie).not.toMatch(/Secure/i); // plain http here; https gets Secure
	expect(cookie).not.toContain(TOKEN);
	return cookie.split(';')[0];
}

describe('who may change the platform', () => {
	it('refuses mutations without the token, with a message saying what to do', async () => {
		const refusals: [Record<string, string>, string][] = [
			[{}, UNAUTHENTICATED_MESSAGE],
			[{ authorization: 'Bearer wrong-token' }, REJECTED_TOKEN_MESSAGE]
		];
		for (const [headers, message] of refusals) {
			const response = await fetch(`${app.url}/api/trpc/workers.upload`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: uploadBody('planted')
			});
			expect(response.status).toBe(401);
			const body = await json(response);
			expect(body.error.message).toBe(message);
			expect(body.error.data.code).toBe('UNAUTHORIZED');
		}
		const anonymous = createPlatformClient(app.url);
		const refused = await anonymous.workers.delete.mutate({ name: 'anything' }).catch((e) => e);
		expect(refused).toBeInstanceOf(TRPCClientError);
		expect(refused.data.code).toBe('UNAUTHORIZED');
		// Reads are private too.
		expect((await anonymous.workers.list.query().catch((e) => e)).data.code).toBe('UNAUTHORIZED');
		expect((await admin().workers.list.query()).workers.map((w) => w.name)).not.toContain('planted');
	});

	it('accepts the Bearer token', async () => {
		const record = await admin().workers.upload.mutate({ name: 'bearer-ok', code: 'export default { fetch: () => new Response("ok") }' });
		expect(record.name).toBe('bearer-ok');
		expect(await (await fetch(`${app.url}/user-workers/bearer-ok/`)).text()).toBe('ok');
	});

	it('signs in through /login, mutates with the session cookie, and signs out on the server', async () => {
		const wrong = await fetch(`${app.url}/login`, { ...FORM_POST, body: new URLSearchParams({ token: 'nope' }) });
		expect(wrong.status).toBe(403);
		expect(wrong.headers.get('set-cookie')).toBeNull();
		expect(await wrong.text()).toContain('class="error"');

		const cookie = await signIn();
		const upload = await fetch(`${app.url}/api/trpc/workers.upload`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: uploadBody('by-cookie')
		});
		expect(upload.status).toBe(200);

		const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
		const refused = await fetch(`${app.url}/api/trpc/workers.delete`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: tampered },
			body: JSON.stringify({ name: 'by-cookie' })
		});
		expect(refused.status).toBe(401);

		const logout = await fetch(`${app.url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
		expect(logout.status).toBe(303);
		expect(logout.headers.get('location')).toBe('/login');
		expect(logout.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`, 'i'));
		// A copy of the cookie kept after signing out no longer works.
		const copied = await fetch(`${app.url}/api/trpc/workers.list`, { headers: { cookie } });
		expect(copied.status).toBe(401);
	});

	it('signs the operator out everywhere: every session ends', async () => {
		const [first, second] = [await signIn(), await signIn()];
		const everywhere = await fetch(`${app.url}/logout`, {
			method: 'POST',
			headers: { cookie: first, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'everywhere=1',
			redirect: 'manual'
		});
		expect(everywhere.status).toBe(303);
		for (const cookie of [first, second]) expect((await fetch(`${app.url}/api/trpc/workers.list`, { headers: { cookie } })).status).toBe(401);
	});

	it('only redirects to paths on this platform after signing in', async () => {
		const response = await fetch(`${app.url}/login?redirectTo=https://evil.example/phish`, {
			...FORM_POST,
			body: new URLSearchParams({ token: TOKEN }),
			redirect: 'manual'
		});
		expect(response.headers.get('location')).toBe('/');
	});
});

describe("the runners' internal endpoints", () => {
	it('refuse every caller without the runner secret, the admin token included: code with decrypted secrets and log entries stay inside', async () => {
		const worker = await admin().workers.upload.mutate({ name: 'internal-probe', code: 'export default { fetch: () => new Response("x") }' });
		await admin().workers.settings.update.mutate({ name: 'internal-probe', secrets: { API_KEY: 'internal-secret-value' } });
		const attempts: [string, RequestInit][] = [
			[`/__platform/runner/scripts/${worker.scriptId}/${worker.version}`, {}],
			[`/__platform/runner/scripts/${worker.scriptId}/${worker.version}`, { headers: { authorization: `Bearer ${TOKEN}` } }],
			[`/__platform/runner/scripts/${worker.scriptId}/${worker.version}`, { headers: { 'x-wfp-runner-secret': 'guessed' } }],
			['/__platform/runner/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
			[`/__platform/runner/assets/${worker.scriptId}/${worker.version}?path=/index.html`, { headers: { authorization: `Bearer ${TOKEN}` } }]
		];
		for (const [path, init] of attempts) {
			const response = await fetch(app.url + path, init);
			const body = await response.text();
			expect(response.status, path).toBe(403);
			expect(body).not.toContain('internal-secret-value');
		}
	});
});

describe('cross-site requests cannot mutate', () => {
	it('refuses cross-origin POSTs to /api/trpc and to form actions, fetch-style and form-style, even with a session', async () => {
		const cookie = await signIn();
		const attempts: [string, RequestInit][] = [
			['/api/trpc/workers.upload', { headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: uploadBody('csrf') }],
			[
				'/api/trpc/workers.upload',
				{ headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' }, body: 'name=csrf' }
			],
			['/api/trpc/workers.delete', { headers: { 'content-type': 'text/plain', origin: 'null' }, body: '{"name":"bearer-ok"}' }],
			['/login', { headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ token: TOKEN }) }],
			['/logout', { headers: { origin: 'https://evil.example' } }]
		];
		for (const [path, init] of attempts) {
			const response = await fetch(app.url + path, {
				...init,
				method: 'POST',
				headers: { ...(init.headers as Record<string, string>), cookie },
				redirect: 'manual'
			});
			expect(response.status, path).toBe(403);
			expect(response.headers.get('set-cookie'), path).toBeNull();
		}
		expect((await admin().workers.list.query()).workers.map((w) => w.name)).toContain('bearer-ok');
		expect((await admin().workers.list.query()).workers.map((w) => w.name)).not.toContain('csrf');
	});

	it('never runs a mutation over GET', async () => {
		const input = encodeURIComponent(JSON.stringify({ name: 'bearer-ok' }));
		const response = await fetch(`${app.url}/api/trpc/workers.delete?input=${input}`, {
			headers: { authorization: `Bearer ${TOKEN}` }
		});
		expect(response.status).toBe(405);
		expect((await fetch(`${app.url}/user-workers/bearer-ok/`)).status).toBe(200);
	});
});

describe('user Workers cannot reach the platform', () => {
	it('sandboxes responses, drops their cookies and hop-by-hop headers, and never forwards the platform credentials', async () => {
		await admin().workers.upload.mutate({
			name: 'nosy',
			code: `export default {
				fetch(request) {
					return Response.json({ cookie: request.headers.get('cookie'), authorization: request.headers.get('authorization') }, {
						headers: [
							['set-cookie', '${SESSION_COOKIE}=forged; Path=/'],
							['clear-site-data', '"cookies"'],
							['content-security-policy', "img-src 'self'; sandbox allow-same-origin allow-scripts"],
							['x-kept', 'yes']
						]
					});
				}
			}`
		});
		const cookie = await signIn();
		const asAdmin = await fetch(`${app.url}/user-workers/nosy/`, {
			headers: { cookie: `theirs=1; ${cookie}; also=2`, authorization: `Bearer ${TOKEN}` }
		});
		expect(await json(asAdmin)).toEqual({ cookie: 'theirs=1; also=2', authorization: null });
		expect(asAdmin.headers.get('set-cookie')).toBeNull();
		expect(asAdmin.headers.get('clear-site-data')).toBeNull();
		expect(asAdmin.headers.get('x-kept')).toBe('yes');
		expect(asAdmin.headers.get('content-security-policy')).toBe("img-src 'self'; sandbox allow-scripts");

		const theirOwn = await fetch(`${app.url}/user-workers/nosy/`, { headers: { authorization: 'Bearer their-own-key' } });
		expect((await json(theirOwn)).authorization).toBe('Bearer their-own-key');
		expect(theirOwn.headers.get('content-security-policy')).toBe("img-src 'self'; sandbox allow-scripts");

		await admin().workers.upload.mutate({ name: 'plain', code: 'export default { fetch: () => new Response("hi") }' });
		expect((await fetch(`${app.url}/user-workers/plain/`)).headers.get('content-security-policy')).toBe(SANDBOX);
	});

	it("refuses a user Worker's fetch() to the platform, the runner and private networks, and gives it no bindings", async () => {
		const port = new URL(app.url).port;
		await admin().workers.upload.mutate({
			name: 'prober',
			code: `export default {
				async fetch(request, env) {
					const targets = ${JSON.stringify([
						`${app.url}/api/trpc/workers.list`,
						`http://localhost:${port}/`,
						`http://[::1]:${port}/`,
						`http://2130706433:${port}/`,
						`http://[::ffff:127.0.0.1]:${port}/`,
						'http://127.0.0.1:1/',
						'http://10.1.2.3/',
						'http://192.168.0.1/',
						'http://169.254.169.254/latest/meta-data/',
						'http://[fd00::1]/',
						'http://fd00.example.invalid/'
					])};
					const results = {};
					for (const target of targets) {
						try {
							const response = await fetch(target);
							results[target] = response.status + ' ' + (await response.text());
						} catch (error) {
							results[target] = 'error ' + error.message;
						}
					}
					return Response.json({ env: Object.keys(env), results });
				}
			}`
		});
		const { env, results } = await json(await fetch(`${app.url}/user-workers/prober/`));
		expect(env).toEqual([]);
		const internet = 'http://fd00.example.invalid/'; // passes the filter, then fails: this machine is offline
		expect(results[internet]).not.toMatch(/^403/);
		delete results[internet];
		for (const [target, result] of Object.entries(results)) expect(result, target).toMatch(/^403 user Workers may not connect to /);
	});

	it('keeps every hostile name inside /user-workers/<name>', async () => {
		await admin().workers.upload.mutate({ name: 'hello', code: 'export default { fetch: () => new Response("hello") }' });
		const notFound = [
			'/user-workers/hello%2Fx/',
			'/user-workers/hello%2fx',
			'/user-workers/%68ello/', // an encoded letter is not the name "hello"
			'/user-workers/HELLO/',
			'/user-workers/Hello/',
			'/user-workers/h\u0435llo/', // Cyrillic "е"
			'/user-workers/\uff48ello/', // fullwidth "ｈ"
			`/user-workers/${'a'.repeat(64)}/`,
			`/user-workers/${'a'.repeat(5000)}/`,
			'/user-workers//',
			'/user-workers/',
			'/user-workers/%2e/',
			'/user-workers/hello%00/'
		];
		for (const path of notFound) {
			const response = await fetch(app.url + path);
			expect(response.status, path).toBe(404);
			expect(await response.text(), path).toContain('No');
		}
		// Dot segments are resolved before routing, as a browser does: they leave /user-workers entirely and
		// reach the platform's own routes, never a user Worker with a path outside its prefix.
		for (const path of ['/user-workers/..', '/user-workers/%2e%2e/', '/user-workers/hello/../../api/trpc/workers.list']) {
			const response = await fetch(app.url + path);
			// The platform's own policy, not the sandbox every user Worker's response gets.
			expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
			expect(response.headers.get('content-security-policy'), path).not.toContain('sandbox');
			expect(await response.text(), path).not.toBe('hello');
		}
		// Encoded slashes after the name are the Worker's own path: they cannot climb to another Worker.
		expect(await (await fetch(`${app.url}/user-workers/hello/..%2f..%2fbearer-ok/`)).text()).toBe('hello');
	});
});

describe('in a real browser', () => {
	it("a signed-in operator's user page cannot read the platform's cookies or storage, nor call its API", async () => {
		await admin().workers.upload.mutate({
			name: 'thief',
			code: `export default {
				fetch: () => new Response(\`<!doctype html><title>thief</title><script>
					const report = {};
					try { report.cookie = document.cookie; } catch (e) { report.cookie = 'blocked: ' + e.name; }
					try { report.storage = localStorage.getItem('platform-secret'); } catch (e) { report.storage = 'blocked: ' + e.name; }
					report.origin = self.origin;
					fetch('/api/trpc/workers.upload', {
						method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ name: 'stolen', code: 'export default { fetch: () => new Response(1) }' })
					}).then((r) => (report.upload = r.status), (e) => (report.upload = 'blocked: ' + e.name))
					  .finally(() => { document.title = 'done'; window.report = report; });
				</script>\`, { headers: { 'content-type': 'text/html' } })
			}`
		});
		const browser = await launchBrowser();
		try {
			const page = await browser.newPage();
			await page.goto(`${app.url}/login?redirectTo=/`);
			await page.fill('input[name=token]', TOKEN);
			await Promise.all([page.waitForURL(`${app.url}/`), page.click('button[type=submit]')]);
			const cookies = await page.context().cookies();
			expect(cookies.map((c) => c.name)).toContain(SESSION_COOKIE);
			// The session cookie is HttpOnly, so a script could not read it anyway: a readable cookie of the
			// platform's origin shows whether the sandbox keeps the page off the origin's cookies.
			await page.evaluate(() => (document.cookie = 'platform-readable=operator-cookie; path=/'));
			await page.evaluate(() => localStorage.setItem('platform-secret', 'operator data'));

			await page.goto(`${app.url}/user-workers/thief/`);
			await page.waitForFunction(() => document.title === 'done');
			const report = await page.evaluate(() => (window as unknown as { report: Record<string, unknown> }).report);
			expect(report.origin).toBe('null');
			expect(report.cookie).toMatch(/^blocked: /);
			expect(report.storage).toMatch(/^blocked: /);
			// The browser sends it without cookies, from origin "null": refused either way.
			expect([401, 403, 'blocked: TypeError']).toContain(report.upload);
		} finally {
			await browser.close();
		}
		expect((await admin().workers.list.query()).workers.map((w) => w.name)).not.toContain('stolen');
	});
});

// Last: it locks this client address out for a minute.
describe('guessing the token', () => {
	it('is refused with 429 after 10 wrong tokens a minute, over the API and the sign-in form alike', async () => {
		const cookie = await signIn();
		// Locally no header tells clients apart (TRUSTED_CLIENT_IP_HEADER is unset): a forged
		// CF-Connecting-IP on each guess does not reset the count.
		const guess = (i: number) =>
			fetch(`${app.url}/api/trpc/workers.list`, { headers: { authorization: `Bearer guess-${i}`, 'cf-connecting-ip': `127.0.0.${i + 2}` } });
		const login = () => fetch(`${app.url}/login`, { ...FORM_POST, body: new URLSearchParams({ token: 'guess' }) });
		// Two wrong tokens were sent earlier in this file: these eight make ten.
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await guess(i)).status);
		for (let i = 0; i < 4; i++) statuses.push((await login()).status);
		expect(statuses).toEqual([401, 401, 401, 401, 403, 403, 403, 403]);
		const refused = await guess(100);
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await json(refused)).error.message).toContain('too many wrong tokens');
		expect((await login()).status).toBe(429);
		// No token is checked while locked out, the right one included, so guessing learns nothing…
		expect((await fetch(`${app.url}/api/trpc/workers.list`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(429);
		// …and a browser that is already signed in keeps working.
		expect((await fetch(`${app.url}/api/trpc/workers.list`, { headers: { cookie } })).status).toBe(200);
		expect(app.output()).toMatch(/auth: .* is locked out until/);
	});
});
