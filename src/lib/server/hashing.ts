// SHA-256 in hex: the one digest the platform names things by (versions, asset files, token and session
// hashes, settings fingerprints).

/** The SHA-256 of `input` (text as UTF-8) in lowercase hex. */
export async function sha256Hex(input: string | Uint8Array<ArrayBuffer>): Promise<string> {
	const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
