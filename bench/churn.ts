// The churn scenario (tests/e2e/churn.test.ts, bench/): clients request a Worker in a loop while it is
// re-uploaded, and each answer is checked against the uploads that were active while it was in flight.
// Loopback only; bounded by the number of uploads and by `maxMs`.
import type { PlatformClient } from '../src/lib/trpc/client.ts';

export interface ChurnResult {
	requests: number;
	/** HTTP status -> how many answers had it. */
	byStatus: Record<number, number>;
	/** Answers from an upload that was not serving at any moment of their request (should be none). */
	fromInactiveVersion: string[];
	/** 404s to requests that overlapped no delete (should be none). */
	missingOutsideDeletes: string[];
	durationMs: number;
}

/** Each upload answers with its own tag, so every body says which upload served it. */
const tagged = (tag: number) => `export default { fetch() { return new Response("upload-${tag}") } }`;

export async function runChurn(
	url: string,
	client: PlatformClient,
	{ name, uploads, deleteEvery, clients = 8, maxMs = 45_000, pauseMs = 40 }: {
		name: string;
		uploads: number;
		/** Every n-th upload is a delete and then the upload; 0 never deletes. */
		deleteEvery: number;
		clients?: number;
		maxMs?: number;
		pauseMs?: number;
	}
): Promise<ChurnResult> {
	// Upload k may serve from the moment its upload is sent until the next upload (or delete) returns.
	const activeFrom: number[] = [];
	const activeUntil: number[] = [];
	await client.workers.upload.mutate({ name, code: tagged(0) });
	activeFrom[0] = 0;

	const started = performance.now();
	let done = false;
	const byStatus: Record<number, number> = {};
	const answers: { tag: number; start: number; end: number }[] = [];
	const notFound: { start: number; end: number }[] = [];
	// From the start of each delete to the return of the upload after it.
	const deleteWindows: { from: number; to: number }[] = [];
	const unexpected: string[] = [];

	async function loop() {
		while (!done && performance.now() - started < maxMs) {
			const start = performance.now();
			const response = await fetch(`${url}/user-workers/${name}/`);
			const text = await response.text();
			const end = performance.now();
			byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
			const match = response.status === 200 ? text.match(/^upload-(\d+)$/) : null;
			if (match) answers.push({ tag: Number(match[1]), start, end });
			else if (response.status === 404) notFound.push({ start, end });
			else if (response.status === 200) unexpected.push(text.slice(0, 200));
		}
	}
	const running = Array.from({ length: clients }, loop);

	for (let k = 1; k <= uploads && performance.now() - started < maxMs; k++) {
		await new Promise((resolve) => setTimeout(resolve, pauseMs));
		activeFrom[k] = performance.now();
		const deleting = deleteEvery > 0 && k % deleteEvery === 0;
		if (deleting) {
			await client.workers.delete.mutate({ name });
			activeUntil[k - 1] = performance.now();
		}
		await client.workers.upload.mutate({ name, code: tagged(k) });
		activeUntil[k - 1] ??= performance.now();
		if (deleting) deleteWindows.push({ from: activeFrom[k], to: performance.now() });
	}
	await new Promise((resolve) => setTimeout(resolve, pauseMs));
	done = true;
	await Promise.all(running);

	const fromInactiveVersion = [
		...unexpected,
		...answers
			.filter(({ tag, start, end }) => !(activeFrom[tag] !== undefined && activeFrom[tag] <= end && (activeUntil[tag] ?? Infinity) >= start))
			.map(({ tag, start, end }) => `upload-${tag} answered a request from ${start.toFixed(0)} to ${end.toFixed(0)} ms`)
	];
	const missingOutsideDeletes = notFound
		.filter(({ start, end }) => !deleteWindows.some(({ from, to }) => from <= end && to >= start))
		.map(({ start, end }) => `404 to a request from ${start.toFixed(0)} to ${end.toFixed(0)} ms`);
	const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
	return { requests, byStatus, fromInactiveVersion, missingOutsideDeletes, durationMs: performance.now() - started };
}
