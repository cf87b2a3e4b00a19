// Which IP addresses a user Worker may connect to. Pure TypeScript with no imports, so the runner
// (workerd) and the egress proxy (Node, scripts/egress-proxy.js) judge addresses with the same code.
//
// The rule is an allow-list in spirit: an address is refused when it belongs to this machine, to a private
// or special-purpose range, or hides such an address inside an IPv6 form (IPv4-mapped, IPv4-compatible,
// NAT64, 6to4, Teredo). Text that is not an IP address is refused too, so a caller that forgets to
// resolve a name fails closed.

/** Why a connection is refused: the address in canonical form and the rule it falls under. */
export interface Refusal {
	address: string;
	rule: string;
}

/** An IPv4 range: the first address as a 32-bit number, the prefix length, the rule's name. */
type IPv4Range = readonly [base: number, prefix: number, rule: string];

const ipv4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Special-purpose IPv4 ranges (IANA registry, RFC 6890), most specific first. */
const REFUSED_IPV4: readonly IPv4Range[] = Object.freeze([
	[ipv4(255, 255, 255, 255), 32, 'broadcast'],
	// Azure's host endpoint (WireServer): a public-looking address that answers only inside the cloud.
	[ipv4(168, 63, 129, 16), 32, 'link-local/metadata'],
	[ipv4(0, 0, 0, 0), 8, 'unspecified'],
	[ipv4(10, 0, 0, 0), 8, 'private network'],
	[ipv4(100, 64, 0, 0), 10, 'shared address space (CGNAT)'],
	[ipv4(127, 0, 0, 0), 8, 'loopback'],
	// 169.254.169.254 is the metadata service of AWS, GCP, Azure, OCI, DigitalOcean, …
	[ipv4(169, 254, 0, 0), 16, 'link-local/metadata'],
	[ipv4(172, 16, 0, 0), 12, 'private network'],
	[ipv4(192, 0, 0, 0), 24, 'reserved'],
	[ipv4(192, 0, 2, 0), 24, 'reserved (documentation)'],
	[ipv4(192, 88, 99, 0), 24, 'reserved'],
	[ipv4(192, 168, 0, 0), 16, 'private network'],
	[ipv4(198, 18, 0, 0), 15, 'reserved (benchmarking)'],
	[ipv4(198, 51, 100, 0), 24, 'reserved (documentation)'],
	[ipv4(203, 0, 113, 0), 24, 'reserved (documentation)'],
	[ipv4(224, 0, 0, 0), 4, 'multicast'],
	[ipv4(240, 0, 0, 0), 4, 'reserved']
] as const);

/**
 * Parses an IPv4 address in every spelling the WHATWG URL parser and inet_aton accept: dotted decimal,
 * 1 to 4 parts (`127.1`), each part decimal, octal (`0177`) or hex (`0x7f`, `0x`), the last part filling
 * the remaining bytes (`2130706433`, `0x7f000001`), one trailing dot. Returns the address as a 32-bit
 * number, or null when `text` is not an IPv4 address.
 */
export function parseIPv4(text: string): number | null {
	const parts = text.split('.');
	if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
	if (parts.length > 4) return null;
	const numbers: number[] = [];
	for (const part of parts) {
		let value: number;
		if (/^0[xX][0-9a-fA-F]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
		else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
		else if (/^(0|[1-9][0-9]*)$/.test(part)) value = parseInt(part, 10);
		else return null;
		numbers.push(value);
	}
	const last = numbers.pop()!;
	if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
	return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last);
}

function formatIPv4(value: number): string {
	return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Strict dotted decimal, as the tail of an IPv6 address (`::ffff:127.0.0.1`) must be written. */
function parseDottedQuad(text: string): number | null {
	const parts = text.split('.');
	if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)) return null;
	return ipv4(...(parts.map(Number) as [number, number, number, number]));
}

function parseGroups(text: string): number[] | null {
	if (text === '') return [];
	const groups: number[] = [];
	const pieces = text.split(':');
	for (const [i, piece] of pieces.entries()) {
		if (i === pieces.length - 1 && piece.includes('.')) {
			const value = parseDottedQuad(piece);
			if (value === null) return null;
			groups.push(value >>> 16, value & 0xffff);
		} else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) groups.push(parseInt(piece, 16));
		else return null;
	}
	return groups;
}

/**
 * Parses an IPv6 address (optionally in brackets, with a zone such as `%eth0`, with `::` and an IPv4
 * tail) into its eight 16-bit groups, or null when `text` is not an IPv6 address.
 */
export function parseIPv6(text: string): number[] | null {
	let address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
	const zone = address.indexOf('%');
	if (zone !== -1) address = address.slice(0, zone);
	const halves = address.split('::');
	if (halves.length > 2) return null;
	const head = parseGroups(halves[0]);
	const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
	if (!head || !tail) return null;
	// The tail's IPv4 part is allowed only at the very end.
	if (halves.length === 2 && halves[0].includes('.')) return null;
	if (halves.length === 1) return head.length === 8 ? head : null;
	if (head.length + tail.length > 7) return null;
	return [...head, ...Array(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIPv6(groups: readonly number[]): string {
	let bestStart = -1;
	let bestLength = 1;
	for (let i = 0; i < 8; ) {
		let j = i;
		while (j < 8 && groups[j] === 0) j++;
		if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
		i = j === i ? i + 1 : j;
	}
	const hex = groups.map((group) => group.toString(16));
	if (bestStart === -1) return hex.join(':');
	return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

type ParsedAddress = { version: 4; value: number } | { version: 6; groups: number[] };

function parseAddress(text: string): ParsedAddress | null {
	if (text.includes(':') || text.startsWith('[')) {
		const groups = parseIPv6(text);
		return groups && { version: 6, groups };
	}
	const value = parseIPv4(text);
	return value === null ? null : { version: 4, value };
}

/**
 * The canonical spelling of an IP address (`127.0.0.1` for `0x7f.1`, `::ffff:7f00:1` for
 * `[::FFFF:127.0.0.1]`), as the WHATWG URL parser writes it; null when `text` is not an IP address.
 */
export function canonicalAddress(text: string): string | null {
	const parsed = parseAddress(text);
	if (!parsed) return null;
	return parsed.version === 4 ? formatIPv4(parsed.value) : formatIPv6(parsed.groups);
}

/**
 * The canonical addresses of this machine's network interfaces, from Node's `os.networkInterfaces()`
 * (the caller passes it in, so this module stays free of Node APIs).
 */
export function machineAddresses(interfaces: Record<string, readonly { address: string }[] | undefined>): Set<string> {
	const addresses = new Set<string>();
	for (const list of Object.values(interfaces))
		for (const { address } of list ?? []) {
			const canonical = canonicalAddress(address);
			if (canonical) addresses.add(canonical);
		}
	return addresses;
}

/** A range's rule first (127.0.0.1 is "loopback" though it is this machine's too), then this machine's addresses. */
function ipv4Rule(value: number, thisMachine: ReadonlySet<string> | undefined): string | null {
	for (const [base, prefix, rule] of REFUSED_IPV4) {
		const mask = (0xffffffff << (32 - prefix)) >>> 0;
		if (((value & mask) >>> 0) === base) return rule;
	}
	return thisMachine?.has(formatIPv4(value)) ? 'this machine' : null;
}

/** The rule for an IPv4 address carried inside an IPv6 one, naming how it is carried. */
function embeddedRule(value: number, form: string, thisMachine: ReadonlySet<string> | undefined): string | null {
	const rule = ipv4Rule(value, thisMachine);
	return rule && `${rule}: ${formatIPv4(value)} as ${form}`;
}

function ipv6Rule(g: readonly number[], thisMachine: ReadonlySet<string> | undefined): string | null {
	const rule = ipv6RangeRule(g, thisMachine);
	return rule ?? (thisMachine?.has(formatIPv6(g)) ? 'this machine' : null);
}

function ipv6RangeRule(g: readonly number[], thisMachine: ReadonlySet<string> | undefined): string | null {
	const v4Tail = ((g[6] << 16) | g[7]) >>> 0;
	const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
	if (zeros(0, 8)) return 'unspecified';
	if (zeros(0, 7) && g[7] === 1) return 'loopback';
	if (zeros(0, 5) && g[5] === 0xffff) return embeddedRule(v4Tail, 'IPv4-mapped IPv6', thisMachine);
	// ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/8 are reserved; name the IPv4 address if it is refused.
	if (zeros(0, 6)) return embeddedRule(v4Tail, 'IPv4-compatible IPv6', thisMachine) ?? 'reserved';
	if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embeddedRule(v4Tail, 'NAT64 IPv6', thisMachine);
	if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private network (local-use NAT64)';
	if ((g[0] & 0xfe00) === 0xfc00) return 'private network (unique-local)';
	if ((g[0] & 0xffc0) === 0xfe80) return 'link-local/metadata';
	if ((g[0] & 0xffc0) === 0xfec0) return 'private network (site-local)';
	if ((g[0] & 0xff00) === 0xff00) return 'multicast';
	// Outside 2000::/3 nothing is global unicast.
	if ((g[0] & 0xe000) !== 0x2000) return 'reserved';
	if (g[0] === 0x2002) return embeddedRule(((g[1] << 16) | g[2]) >>> 0, '6to4 IPv6', thisMachine);
	if (g[0] === 0x2001 && g[1] === 0) {
		// Teredo: the server's IPv4 address, then the client's, inverted.
		const server = embeddedRule(((g[2] << 16) | g[3]) >>> 0, 'Teredo server', thisMachine);
		return server ?? embeddedRule(~v4Tail >>> 0, 'Teredo client', thisMachine);
	}
	if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved (documentation)';
	if (g[0] === 0x3fff && (g[1] & 0xf000) === 0) return 'reserved (documentation)';
	return null;
}

/**
 * Why a user Worker may not connect to `address`, or null when it may. `address` is an IP address in any
 * spelling (see parseIPv4, parseIPv6); anything else is refused as "not an IP address". `thisMachine`:
 * the canonical addresses of this machine (machineAddresses), refused whatever range they are in.
 */
export function refusalFor(address: string, thisMachine?: ReadonlySet<string>): Refusal | null {
	const parsed = parseAddress(address);
	if (!parsed) return { address, rule: 'not an IP address' };
	const rule = parsed.version === 4 ? ipv4Rule(parsed.value, thisMachine) : ipv6Rule(parsed.groups, thisMachine);
	if (rule === null) return null;
	return { address: parsed.version === 4 ? formatIPv4(parsed.value) : formatIPv6(parsed.groups), rule };
}
