// Credentials the platform issues: API tokens for customers and session ids for browsers. Both are
// high-entropy random strings with a recognisable prefix (so secret scanners can find a leaked one), and
// only their SHA-256 is stored.

export const API_TOKEN_PREFIX = 'wfp_';
export const SESSION_ID_PREFIX = 'wfps_';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `prefix` + 43 base62 characters (~256 bits from crypto.getRandomValues, without modulo bias). */
export function randomCredential(prefix: string): string {
	let out = prefix;
	while (out.length < prefix.length + 43) {
		for (const byte of crypto.getRandomValues(new Uint8Array(64))) {
			if (byte < 248 && out.length < prefix.length + 43) out += ALPHABET[byte % 62];
		}
	}
	return out;
}

export { sha256Hex } from '../hashing';

/** A short random id for a row (customers, tokens): not a secret. */
export function randomId(prefix: string): string {
	return prefix + randomCredential('').slice(0, 16);
}
