// Content negotiation of the response encoding where nothing sits in front of the app: under `npm start`
// the app's workerd socket faces clients directly (scripts/platform-server.js), so the app does what
// Cloudflare's edge does for a deployed Worker (and what Miniflare's entry Worker does under `wrangler
// dev`): compresses the content types Cloudflare compresses with the encoding the client prefers, and
// never sends an encoding the client did not accept. Setting Content-Encoding on a response whose body is
// not encoded yet makes workerd encode it on the way out.

/** The content types Cloudflare's edge compresses (developers.cloudflare.com, "Content compression"). */
const COMPRESSIBLE_TYPES: ReadonlySet<string> = new Set([
	'text/html',
	'text/richtext',
	'text/plain',
	'text/css',
	'text/x-script',
	'text/x-component',
	'text/x-java-source',
	'text/x-markdown',
	'application/javascript',
	'application/x-javascript',
	'text/javascript',
	'text/js',
	'image/x-icon',
	'image/vnd.microsoft.icon',
	'application/x-perl',
	'application/x-httpd-cgi',
	'text/xml',
	'application/xml',
	'application/rss+xml',
	'application/vnd.api+json',
	'application/x-protobuf',
	'application/json',
	'multipart/bag',
	'multipart/mixed',
	'application/xhtml+xml',
	'font/ttf',
	'font/otf',
	'font/x-woff',
	'image/svg+xml',
	'application/vnd.ms-fontobject',
	'application/ttf',
	'application/x-ttf',
	'application/otf',
	'application/x-otf',
	'application/truetype',
	'application/opentype',
	'application/x-opentype',
	'application/font-woff',
	'application/eot',
	'application/font',
	'application/font-sfnt',
	'application/wasm',
	'application/javascript-binast',
	'application/manifest+json',
	'application/ld+json',
	'application/graphql+json',
	'application/geo+json'
]);

const ENCODING_ELEMENT = /^(?<coding>[a-z]+|\*)(?:\s*;\s*q=(?<weight>\d+(?:\.\d+)?))?$/;

/** The codings of an Accept-Encoding header, most preferred first (unparseable elements are ignored). */
function acceptedEncodings(header: string): { coding: string; weight: number }[] {
	const encodings: { coding: string; weight: number }[] = [];
	for (const element of header.split(',')) {
		const groups = ENCODING_ELEMENT.exec(element.trim().toLowerCase())?.groups;
		if (groups) encodings.push({ coding: groups.coding, weight: groups.weight === undefined ? 1 : parseFloat(groups.weight) });
	}
	return encodings.sort((a, b) => b.weight - a.weight);
}

/**
 * `response` with the Content-Encoding the client asked for in `acceptEncoding` (its request's header; null:
 * it sent none, and gets the response as it is): gzip or br for a compressible type, none when it accepts
 * neither, 415 when it refuses every coding the response can have.
 */
export function negotiateEncoding(acceptEncoding: string | null, response: Response): Response {
	if (acceptEncoding === null) return response;
	const encodings = acceptedEncodings(acceptEncoding);
	if (encodings.length === 0) return response;
	const contentEncoding = response.headers.get('content-encoding');
	const contentType = response.headers.get('content-type');
	const compressible = contentType === null || COMPRESSIBLE_TYPES.has(contentType.split(';')[0].trim().toLowerCase());
	if (!compressible || (contentEncoding !== null && contentEncoding !== 'gzip' && contentEncoding !== 'br')) return response;
	let desired: string | undefined;
	let identityRefused = false;
	for (const { coding, weight } of encodings) {
		if (weight === 0) {
			if (coding === 'identity' || coding === '*') identityRefused = true;
		} else if (coding === 'gzip' || coding === 'br') {
			desired = coding;
			break;
		} else if (coding === 'identity') break;
	}
	if (desired === undefined) {
		if (identityRefused) return new Response('Unsupported Media Type', { status: 415, headers: { 'accept-encoding': 'br, gzip' } });
		if (contentEncoding === null) return response;
		const plain = new Response(response.body, response);
		plain.headers.delete('content-encoding');
		return plain;
	}
	if (contentEncoding === desired) return response;
	const encoded = new Response(response.body, response);
	encoded.headers.set('content-encoding', desired);
	return encoded;
}
