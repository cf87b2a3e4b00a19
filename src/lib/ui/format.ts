// Display helpers shared by the list and detail pages.

// Sizes read the same in the UI, the CLI and the server's messages.
export { formatBytes } from '$lib/format';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	['year', 365 * 24 * 3600],
	['month', 30 * 24 * 3600],
	['day', 24 * 3600],
	['hour', 3600],
	['minute', 60]
];

/** "3 minutes ago", "yesterday", "just now". */
export function relativeTime(iso: string, now: number): string {
	const seconds = (new Date(iso).getTime() - now) / 1000;
	for (const [unit, size] of UNITS) {
		if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
	}
	return 'just now';
}

/** The exact time, for hover titles: "2026-11-22 22:18:29 UTC". */
export function exactTime(iso: string): string {
	return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** Workers per page on the list page. */
export const LIST_PAGE_SIZE = 50;
