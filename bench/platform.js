// The control-plane and lifecycle figures, measured against a running app (ours) over HTTP.
import { appProcesses } from './processes.js';
import { inParallel, summarize } from './load.js';
import { upload } from './targets.js';

const greeter = (text) => `export default { fetch: () => new Response(${JSON.stringify(text)}) }`;

async function timedGet(url) {
	const started = performance.now();
	const response = await fetch(url);
	const body = await response.text();
	return { status: response.status, body, ms: performance.now() - started };
}

/**
 * Upload latency over `count` uploads of new Workers, upload-to-first-successful-response latency (the
 * upload and then requests until the Worker answers with its code), and whether each re-upload of one
 * Worker is what the very next request runs.
 */
export async function measureUploads(origin, { count, reuploads }) {
	const uploadMs = [];
	const firstResponseMs = [];
	for (let i = 0; i < count; i++) {
		const name = `upload-${i}`;
		const started = performance.now();
		uploadMs.push(await upload(origin, name, greeter(name)));
		for (;;) {
			const { status, body } = await timedGet(`${origin}/user-workers/${name}/`);
			if (status === 200 && body === name) break;
		}
		firstResponseMs.push(performance.now() - started);
	}
	let visibleOnNextRequest = 0;
	for (let i = 0; i < reuploads; i++) {
		await upload(origin, 'reupload', greeter(`version ${i}`));
		if ((await timedGet(`${origin}/user-workers/reupload/`)).body === `version ${i}`) visibleOnNextRequest++;
	}
	return {
		upload: summarize(uploadMs),
		uploadToFirstResponse: summarize(firstResponseMs),
		reuploadVisibleOnNextRequest: `${visibleOnNextRequest}/${reuploads}`
	};
}

/** First request to a Worker that has never run (isolate created, code loaded) vs the next ones. */
export async function measureColdWarm(origin, { count }) {
	await inParallel(count, 4, (i) => upload(origin, `cold-${i}`, greeter(`cold ${i}`)));
	const coldMs = [];
	const warmMs = [];
	for (let i = 0; i < count; i++) {
		const url = `${origin}/user-workers/cold-${i}/`;
		coldMs.push((await timedGet(url)).ms);
		for (let j = 0; j < 5; j++) warmMs.push((await timedGet(url)).ms);
	}
	return { cold: summarize(coldMs), warm: summarize(warmMs) };
}

/**
 * Registers Workers until each size in `sizes` is reached (counting those already there) and times one
 * `workers.list` page of `limit` at each.
 */
export async function measureList(origin, { sizes, limit, samples }) {
	const listPage = async () => {
		const response = await fetch(`${origin}/api/trpc/workers.list?input=${encodeURIComponent(JSON.stringify({ limit }))}`);
		if (!response.ok) throw new Error(`workers.list failed: HTTP ${response.status}`);
		return (await response.json()).result.data;
	};
	let registered = 0;
	for (let page = await listPage(); ; page = await listPage()) {
		registered += page.workers.length;
		if (!page.cursor) break;
	}
	const results = [];
	for (const size of sizes) {
		await uploadMany(origin, Array.from({ length: size - registered }, (_, i) => `list-${String(registered + i).padStart(5, '0')}`));
		registered = size;
		const timings = [];
		for (let i = 0; i < samples; i++) {
			const started = performance.now();
			const page = await listPage();
			timings.push(performance.now() - started);
			if (page.workers.length !== Math.min(limit, size)) throw new Error(`list returned a short page at ${size} Workers`);
		}
		results.push({ workers: size, limit, ...summarize(timings) });
	}
	return results;
}

/** Uploads a Worker for each name, several per tRPC batch request (at most 10: the API's batch limit). */
async function uploadMany(origin, names, perBatch = 10) {
	await inParallel(Math.ceil(names.length / perBatch), 4, async (b) => {
		const batch = names.slice(b * perBatch, (b + 1) * perBatch);
		const input = Object.fromEntries(batch.map((name, i) => [i, { name, code: greeter(name) }]));
		const response = await fetch(`${origin}/api/trpc/${batch.map(() => 'workers.upload').join(',')}?batch=1`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(input)
		});
		if (!response.ok) throw new Error(`batch upload failed: HTTP ${response.status} ${(await response.text()).slice(0, 500)}`);
	});
}

/**
 * Resident memory of the app's processes before and after `count` distinct Workers each ran once, and again
 * after `idleSeconds` with no requests. Every request must succeed (the runners unload Workers meanwhile).
 */
export async function measureMemory(origin, { count, idleSeconds }) {
	const port = Number(new URL(origin).port);
	const rss = () => {
		const { app, runners } = appProcesses(port);
		return {
			appBytes: app.rssBytes,
			runnersBytes: runners.reduce((sum, runner) => sum + runner.rssBytes, 0),
			perRunnerBytes: runners.map((runner) => runner.rssBytes)
		};
	};
	const before = rss();
	await uploadMany(origin, Array.from({ length: count }, (_, i) => `memory-${i}`));
	const started = performance.now();
	await inParallel(count, 4, async (i) => {
		const { status, body } = await timedGet(`${origin}/user-workers/memory-${i}/`);
		if (status !== 200 || body !== `memory-${i}`) throw new Error(`memory-${i} answered ${status}: ${body.slice(0, 200)}`);
	});
	const callSeconds = (performance.now() - started) / 1000;
	const after = rss();
	await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
	return { workers: count, callSeconds: Math.round(callSeconds * 10) / 10, idleSeconds, before, after, afterIdle: rss() };
}
