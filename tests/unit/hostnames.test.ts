import { describe, expect, it } from 'vitest';
import { routeByHost } from '$lib/server/hostnames/routing';
import { hostnameProblem } from '$lib/server/hostnames/service';

describe('routeByHost', () => {
	it("tells the platform's own host, a Worker's subdomain and other hosts apart", () => {
		expect(routeByHost('platform.example.com', 'platform.example.com')).toEqual({ kind: 'platform' });
		expect(routeByHost('hello.platform.example.com', 'platform.example.com')).toEqual({ kind: 'subdomain', name: 'hello' });
		expect(routeByHost('a.b.platform.example.com', 'platform.example.com')).toEqual({ kind: 'subdomain', name: '' });
		expect(routeByHost('shop.example', 'platform.example.com')).toEqual({ kind: 'custom', hostname: 'shop.example' });
		expect(routeByHost('evilplatform.example.com', 'platform.example.com')).toEqual({ kind: 'custom', hostname: 'evilplatform.example.com' });
	});

	it('always serves the platform on addresses and localhost, and subdomains of localhost locally', () => {
		for (const host of ['127.0.0.1', 'localhost', '[::1]', '10.1.2.3']) expect(routeByHost(host, 'localhost')).toEqual({ kind: 'platform' });
		expect(routeByHost('hello.localhost', 'localhost')).toEqual({ kind: 'subdomain', name: 'hello' });
		expect(routeByHost('shop.example', null)).toEqual({ kind: 'custom', hostname: 'shop.example' });
		expect(routeByHost('hello.localhost', null)).toEqual({ kind: 'custom', hostname: 'hello.localhost' });
	});
});

describe('hostnameProblem', () => {
	const config = { platformHost: 'platform.example.com', publicOrigin: 'https://platform.example.com' };
	it('accepts host names of the customer’s own domains', () => {
		for (const ok of ['shop.example', 'www.shop.example.co.uk', 'a-b.c1.example']) expect(hostnameProblem(ok, config)).toBeNull();
	});
	it('refuses the platform’s own host and subdomains, localhost, addresses and malformed names', () => {
		expect(hostnameProblem('platform.example.com', config)).toContain('belongs to the platform');
		expect(hostnameProblem('hello.platform.example.com', config)).toContain('belongs to the platform');
		expect(hostnameProblem('shop.localhost', config)).toContain('belongs to the platform');
		expect(hostnameProblem('127.0.0.1', config)).toContain('is an address');
		for (const bad of ['shop', 'https://shop.example', 'shop.example:8080', 'shop..example', '-shop.example', 'shop.example/path', 'ex ample.com'])
			expect(hostnameProblem(bad, config), bad).toContain('is not a host name');
		expect(hostnameProblem('', config)).toContain('required');
		expect(hostnameProblem(`${'a'.repeat(63)}.`.repeat(4) + 'com', config)).toContain('the limit is 253');
	});
});
