import { describe, expect, it } from 'vitest';
import { canonicalAddress, machineAddresses, parseIPv4, parseIPv6, refusalFor } from '$lib/net/addresses';

const ruleOf = (address: string, thisMachine?: ReadonlySet<string>) => refusalFor(address, thisMachine)?.rule ?? null;

describe('IPv4 spellings', () => {
	// Every spelling of 127.0.0.1 the WHATWG URL parser and inet_aton accept.
	const loopbackSpellings = [
		'127.0.0.1',
		'2130706433', // one decimal number
		'0x7f000001', // one hex number
		'0X7F000001',
		'017700000001', // one octal number
		'0177.0.0.1', // octal part
		'0177.0000.0000.0001',
		'0x7f.0.0.1', // hex part
		'0x7f.0x0.0x0.0x1',
		'127.1', // two parts: the last fills three bytes
		'127.0.1', // three parts: the last fills two bytes
		'0x7f.1',
		'127.0x000001',
		'127.0.0.1.' // one trailing dot
	];
	it.each(loopbackSpellings)('reads %s as 127.0.0.1, as the URL parser does', (spelling) => {
		expect(canonicalAddress(spelling)).toBe('127.0.0.1');
		expect(new URL(`http://${spelling}/`).hostname).toBe('127.0.0.1');
		expect(refusalFor(spelling)).toEqual({ address: '127.0.0.1', rule: 'loopback' });
	});

	it('reads the shortest and the largest forms', () => {
		expect(parseIPv4('0')).toBe(0);
		expect(parseIPv4('0x')).toBe(0);
		expect(parseIPv4('4294967295')).toBe(0xffffffff);
		expect(parseIPv4('1.16777215')).toBe(0x01ffffff);
		expect(parseIPv4('1.2.65535')).toBe(0x0102ffff);
	});

	it.each(['', '.', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '1.2.65536', '1.16777216', '4294967296', '08.0.0.1', '0x1g', '1..2', '1.2.3.4..', ' 1.2.3.4', '1.2.3.4 ', '+1.2.3.4', '1e3', '１２７.0.0.1', 'example.com', '127.0.0.1.example'])(
		'%j is not an IPv4 address, and is refused as not an IP address',
		(text) => {
			expect(parseIPv4(text)).toBeNull();
			expect(ruleOf(text)).toBe('not an IP address');
		}
	);
});

describe('IPv6 forms', () => {
	it.each([
		['::', '::'],
		['::1', '::1'],
		['[::1]', '::1'],
		['0:0:0:0:0:0:0:1', '::1'],
		['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
		['FE80::1%eth0', 'fe80::1'],
		['[fe80::1%25eth0]', 'fe80::1'],
		['::ffff:127.0.0.1', '::ffff:7f00:1'],
		['::FFFF:7F00:1', '::ffff:7f00:1'],
		['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
		['2606:4700:0:0:0:0:0:1111', '2606:4700::1111'],
		['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1']
	])('writes %s as %s, as the URL parser does', (text, canonical) => {
		expect(canonicalAddress(text)).toBe(canonical);
		if (!text.includes('%')) expect(new URL(`http://[${text.replace(/^\[|\]$/g, '')}]/`).hostname).toBe(`[${canonical}]`);
	});

	it.each(['1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '::g', ':::', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3', '::01.2.3.4', '::256.1.1.1', '1.2.3.4::', '[::1'])(
		'%j is not an IPv6 address',
		(text) => {
			expect(parseIPv6(text)).toBeNull();
			expect(ruleOf(text)).toBe('not an IP address');
		}
	);
});

describe('refusalFor', () => {
	it.each([
		['0.0.0.0', 'unspecified'],
		['0.255.255.255', 'unspecified'],
		['10.0.0.0', 'private network'],
		['10.255.255.255', 'private network'],
		['100.64.0.0', 'shared address space (CGNAT)'],
		['100.127.255.255', 'shared address space (CGNAT)'],
		['100.100.100.200', 'shared address space (CGNAT)'], // Alibaba Cloud metadata
		['127.0.0.1', 'loopback'],
		['127.255.255.254', 'loopback'],
		['169.254.0.1', 'link-local/metadata'],
		['169.254.169.254', 'link-local/metadata'],
		['168.63.129.16', 'link-local/metadata'],
		['172.16.0.0', 'private network'],
		['172.31.255.255', 'private network'],
		['192.0.0.8', 'reserved'],
		['192.0.2.1', 'reserved (documentation)'],
		['192.88.99.1', 'reserved'],
		['192.168.0.1', 'private network'],
		['192.168.255.255', 'private network'],
		['198.18.0.1', 'reserved (benchmarking)'],
		['198.19.255.255', 'reserved (benchmarking)'],
		['198.51.100.1', 'reserved (documentation)'],
		['203.0.113.1', 'reserved (documentation)'],
		['224.0.0.1', 'multicast'],
		['239.255.255.255', 'multicast'],
		['240.0.0.1', 'reserved'],
		['255.255.255.254', 'reserved'],
		['255.255.255.255', 'broadcast']
	])('refuses %s (%s)', (address, rule) => {
		expect(ruleOf(address)).toBe(rule);
	});

	it.each(['1.1.1.1', '8.8.8.8', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '223.255.255.255', '168.63.129.17'])(
		'allows the public address %s',
		(address) => {
			expect(refusalFor(address)).toBeNull();
		}
	);

	it.each([
		['::', 'unspecified'],
		['::1', 'loopback'],
		['fc00::1', 'private network (unique-local)'],
		['fd00:ec2::254', 'private network (unique-local)'], // AWS metadata over IPv6
		['fdff:ffff::1', 'private network (unique-local)'],
		['fe80::1', 'link-local/metadata'],
		['febf::1', 'link-local/metadata'],
		['fec0::1', 'private network (site-local)'],
		['ff02::1', 'multicast'],
		['ff0e::1', 'multicast'],
		['64:ff9b:1::1', 'private network (local-use NAT64)'],
		['2001:db8::1', 'reserved (documentation)'],
		['3fff::1', 'reserved (documentation)'],
		['100::1', 'reserved'],
		['4000::1', 'reserved'],
		['::ffff:0:7f00:1', 'reserved'], // IPv4-translated
		['::1.1.1.1', 'reserved'] // IPv4-compatible of a public address: deprecated, never routed
	])('refuses %s (%s)', (address, rule) => {
		expect(ruleOf(address)).toBe(rule);
	});

	it.each([
		['::ffff:127.0.0.1', 'loopback: 127.0.0.1 as IPv4-mapped IPv6'],
		['::ffff:7f00:1', 'loopback: 127.0.0.1 as IPv4-mapped IPv6'],
		['0:0:0:0:0:ffff:a00:1', 'private network: 10.0.0.1 as IPv4-mapped IPv6'],
		['::ffff:169.254.169.254', 'link-local/metadata: 169.254.169.254 as IPv4-mapped IPv6'],
		['::ffff:0.0.0.0', 'unspecified: 0.0.0.0 as IPv4-mapped IPv6'],
		['::127.0.0.1', 'loopback: 127.0.0.1 as IPv4-compatible IPv6'],
		['::7f00:1', 'loopback: 127.0.0.1 as IPv4-compatible IPv6'],
		['::192.168.1.1', 'private network: 192.168.1.1 as IPv4-compatible IPv6'],
		['64:ff9b::127.0.0.1', 'loopback: 127.0.0.1 as NAT64 IPv6'],
		['64:ff9b::a9fe:a9fe', 'link-local/metadata: 169.254.169.254 as NAT64 IPv6'],
		['2002:7f00:1::', 'loopback: 127.0.0.1 as 6to4 IPv6'],
		['2002:c0a8:101::1', 'private network: 192.168.1.1 as 6to4 IPv6'],
		['2001:0:7f00:1::', 'loopback: 127.0.0.1 as Teredo server'],
		['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback: 127.0.0.1 as Teredo client'], // client address inverted
		['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private network: 10.0.0.1 as Teredo client']
	])('refuses %s, which carries a refused IPv4 address (%s)', (address, rule) => {
		expect(ruleOf(address)).toBe(rule);
	});

	it.each(['2606:4700::1111', '2001:4860:4860::8888', '::ffff:1.1.1.1', '::ffff:808:808', '64:ff9b::8.8.8.8', '2002:808:808::1', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'])(
		'allows the public address %s',
		(address) => {
			expect(refusalFor(address)).toBeNull();
		}
	);

	it('names the canonical address it refused', () => {
		expect(refusalFor('0x7f.1')).toEqual({ address: '127.0.0.1', rule: 'loopback' });
		expect(refusalFor('[::FFFF:127.0.0.1]')).toEqual({ address: '::ffff:7f00:1', rule: 'loopback: 127.0.0.1 as IPv4-mapped IPv6' });
	});
});

describe('this machine', () => {
	const interfaces = {
		lo: [{ address: '127.0.0.1' }, { address: '::1' }],
		eth0: [{ address: '203.0.114.7' }, { address: '2a01:4f8:0:0::7' }, { address: 'fe80::fc:ff:fe00:1' }],
		down: undefined
	};
	const thisMachine = machineAddresses(interfaces);

	it('collects every interface address in canonical form', () => {
		expect([...thisMachine].sort()).toEqual(['127.0.0.1', '203.0.114.7', '2a01:4f8::7', '::1', 'fe80::fc:ff:fe00:1'].sort());
	});

	it("refuses this machine's public addresses in every spelling, and no other public address", () => {
		expect(ruleOf('203.0.114.7', thisMachine)).toBe('this machine');
		expect(ruleOf('3405804039', thisMachine)).toBe('this machine');
		expect(ruleOf('::ffff:203.0.114.7', thisMachine)).toBe('this machine: 203.0.114.7 as IPv4-mapped IPv6');
		expect(ruleOf('2a01:4f8::7', thisMachine)).toBe('this machine');
		expect(ruleOf('2A01:04F8:0:0:0:0:0:0007', thisMachine)).toBe('this machine');
		expect(ruleOf('203.0.114.8', thisMachine)).toBeNull();
		expect(ruleOf('203.0.114.7')).toBeNull();
	});
});
