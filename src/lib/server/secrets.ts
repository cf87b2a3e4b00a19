/** Compares two secrets in time that depends only on their lengths, not on where they differ. */
export function safeEqual(a: string, b: string): boolean {
	const left = new TextEncoder().encode(a);
	const right = new TextEncoder().encode(b);
	let difference = left.length ^ right.length;
	for (let i = 0; i < left.length; i++) difference |= left[i] ^ (right[i % right.length] ?? 0);
	return difference === 0;
}
