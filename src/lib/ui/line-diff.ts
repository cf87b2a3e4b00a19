// A line diff of two sources, for the Worker page's "diff against the serving version": the common prefix
// and suffix are matched first, the rest by a longest-common-subsequence table, bounded so a huge change
// costs a message rather than the server's memory.

export interface DiffLine {
	kind: 'same' | 'added' | 'removed';
	text: string;
}

/** The largest changed region (lines × lines) compared line by line. */
export const DIFF_MAX_CELLS = 4_000_000;

/** The lines that turn `before` into `after`; null when the changed region is too large to compare. */
export function lineDiff(before: string, after: string): DiffLine[] | null {
	const a = before.split('\n');
	const b = after.split('\n');
	let start = 0;
	while (start < a.length && start < b.length && a[start] === b[start]) start++;
	let endA = a.length;
	let endB = b.length;
	while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
		endA--;
		endB--;
	}
	const n = endA - start;
	const m = endB - start;
	if (n * m > DIFF_MAX_CELLS) return null;

	// lengths[i * (m + 1) + j]: the LCS length of a[start + i…endA) and b[start + j…endB).
	const lengths = new Uint32Array((n + 1) * (m + 1));
	for (let i = n - 1; i >= 0; i--)
		for (let j = m - 1; j >= 0; j--)
			lengths[i * (m + 1) + j] =
				a[start + i] === b[start + j]
					? lengths[(i + 1) * (m + 1) + j + 1] + 1
					: Math.max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1]);

	const lines: DiffLine[] = a.slice(0, start).map((text) => ({ kind: 'same', text }));
	let i = 0;
	let j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && a[start + i] === b[start + j]) {
			lines.push({ kind: 'same', text: a[start + i] });
			i++;
			j++;
		} else if (j < m && (i === n || lengths[i * (m + 1) + j + 1] >= lengths[(i + 1) * (m + 1) + j])) {
			lines.push({ kind: 'added', text: b[start + j++] });
		} else {
			lines.push({ kind: 'removed', text: a[start + i++] });
		}
	}
	for (const text of a.slice(endA)) lines.push({ kind: 'same', text });
	return lines;
}
