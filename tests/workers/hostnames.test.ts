// Workers on their own origins: subdomains of PLATFORM_HOST and customers' own hostnames, through the
// dispatcher and the router over the real KV, D1 and Worker Loader of this test's workerd.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { interceptPlatformRequest } from '$lib/server/dispatch';
import { buildPlatform, type Platform } from '$lib/server/platform';
import type { Principal } from '$lib/server/principal';
import { callerFor, trpcError, useEmptyKv } from './helpers';

const cookieWorker = `export default { fetch(request) {
	const url = new URL(request.url);
	return new Response(\`\${url.pathname} prefix=\${request.headers.get('x-forwarded-prefix')} cookie=\${request.headers.get('cookie')}\`, {
		headers: { 'set-cookie': 'mine=1; Path=/', 'content-security-policy': "default-src 'self'", nel: '{}' }
	});
} }`;

function platformOnHost() {
	const platform = buildPlatform({ ...env, PLATFORM_ADMIN_TOKEN: 'admin', PLATFORM_HOST: 'platform.test:8787' } as Env);
	return { platform, admin: callerFor(platform, { kind: 'operator' }) };
}

const request = (platform: Platform, url: string, headers: Record<string, string> = {}) =>
	interceptPlatformRequest(new Request(url, { headers }), new URL(url), platform);

async function customer(platform: Platform, admin: ReturnType<typeof callerFor>, name: string) {
	const { id } = await admin.customers.create({ name });
	const { token } = await admin.tokens.create({ customerId: id, label: 'x' });
	return callerFor(platform, (await platform.auth.principalOfToken(token)) as Principal);
}

describe('Workers on their own origins', () => {
	useEmptyKv();

	it('serves <name>.<PLATFORM_HOST> with the path unchanged, keeping its cookies and CSP', async () => {
		const { platform, admin } = platformOnHost();
		const record = await admin.workers.upload({ name: 'hello', code: cookieWorker });
		expect(record.hostUrl).toBe('http://hello.platform.test:8787/');

		const own = (await request(platform, 'http://hello.platform.test:8787/a/b?c=1', { cookie: 'wfp_session=wfps_x; theirs=1' }))!;
		expect(await own.text()).toBe('/a/b prefix=null cookie=theirs=1');
		expect(own.headers.get('set-cookie')).toBe('mine=1; Path=/');
		expect(own.headers.get('content-security-policy')).toBe("default-src 'self'");
		expect(own.headers.get('nel')).toBe('{}');

		// The shared path form stays sandboxed and cookie-less.
		const shared = (await request(platform, 'http://platform.test:8787/user-workers/hello/a'))!;
		expect(await shared.text()).toBe('/a prefix=/user-workers/hello cookie=null');
		expect(shared.headers.get('set-cookie')).toBeNull();
		expect(shared.headers.get('content-security-policy')).toContain('sandbox');

		expect((await request(platform, 'http://nobody.platform.test:8787/'))!.status).toBe(404);
		expect((await request(platform, 'http://a.b.platform.test:8787/'))!.status).toBe(404);
		// The platform's own host and addresses go on to the web UI.
		expect(await request(platform, 'http://platform.test:8787/')).toBeUndefined();
	});

	it('attaches, serves and detaches a custom hostname; conflicts and reserved hosts are refused', async () => {
		const { platform, admin } = platformOnHost();
		await admin.workers.upload({ name: 'shop', code: cookieWorker });
		await admin.workers.upload({ name: 'other', code: cookieWorker });
		expect(await request(platform, 'http://shop.example/')).toBeUndefined();

		expect(await admin.workers.hostnames.add({ name: 'shop', hostname: 'Shop.Example.' })).toMatchObject({
			hostname: 'shop.example',
			name: 'shop',
			status: 'active',
			verification: []
		});
		expect(await (await request(platform, 'http://shop.example/cart'))!.text()).toBe('/cart prefix=null cookie=null');
		expect((await admin.workers.hostnames.list({ name: 'shop' })).map((h) => h.hostname)).toEqual(['shop.example']);

		expect(await trpcError(() => admin.workers.hostnames.add({ name: 'other', hostname: 'shop.example' }))).toEqual({
			code: 'CONFLICT',
			message: 'the hostname shop.example is attached to another Worker; detach it there first'
		});
		expect((await trpcError(() => admin.workers.hostnames.add({ name: 'shop', hostname: 'x.platform.test' }))).code).toBe('BAD_REQUEST');
		expect((await trpcError(() => admin.workers.hostnames.add({ name: 'shop', hostname: 'not a host' }))).code).toBe('BAD_REQUEST');

		await admin.workers.hostnames.remove({ hostname: 'shop.example' });
		expect(await request(platform, 'http://shop.example/')).toBeUndefined();
		expect(await env.WORKER_MAPPINGS.get('host:shop.example')).toBeNull();
	});

	it("lets only the Worker's owner attach and detach its hostnames, and deleting the Worker detaches them", async () => {
		const { platform, admin } = platformOnHost();
		const a = await customer(platform, admin, 'A');
		const b = await customer(platform, admin, 'B');
		await a.workers.upload({ name: 'a-shop', code: cookieWorker });
		await a.workers.hostnames.add({ name: 'a-shop', hostname: 'a-shop.example' });

		expect((await trpcError(() => b.workers.hostnames.add({ name: 'a-shop', hostname: 'b.example' }))).code).toBe('NOT_FOUND');
		expect((await trpcError(() => b.workers.hostnames.list({ name: 'a-shop' }))).code).toBe('NOT_FOUND');
		expect((await trpcError(() => b.workers.hostnames.remove({ hostname: 'a-shop.example' }))).code).toBe('NOT_FOUND');
		expect((await request(platform, 'http://a-shop.example/'))!.status).toBe(200);

		await a.workers.delete({ name: 'a-shop' });
		expect(await request(platform, 'http://a-shop.example/')).toBeUndefined();
		expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM hostnames').first('n')).toBe(0);
	});
});
