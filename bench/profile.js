// `node bench/profile.js` (after `npm run build`): a CPU profile of the platform Worker's isolate while it
// serves the hello-world user Worker under load, to see what the dispatch path costs. Runs the built app as
// `npm start` serves it (scripts/platform-server.js; KV in memory) with the user Worker in-process, or with
// PROFILE_ISOLATED=1 in one runner process as `npm start` runs it, and prints where the isolate's time goes,
// by function.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { startPlatformServer } from '../scripts/platform-server.js';
import { startRunners } from '../scripts/runner.js';
import { freePort } from '../scripts/launch-app.js';
import { HELLO_WORLD } from './hello-worker.js';
import { upload } from './targets.js';

const seconds = Number(process.env.BENCH_SECONDS || 6);
const inspectorPort = await freePort();
const port = await freePort();
// PROFILE_ISOLATED=1: with one runner process, as `npm start` runs user Workers (the profile is the app's).
const secret = randomBytes(32).toString('hex');
const runners = process.env.PROFILE_ISOLATED ? await startRunners({ count: 1, codeUrl: `http://127.0.0.1:${port}`, secret, log: () => {} }) : null;
const vars = runners ? { RUNNER_URL: runners.urls.join(','), RUNNER_SECRET: secret } : {};
const server = await startPlatformServer({ port, host: '127.0.0.1', inspectorPort, vars, runners: runners?.urls });

try {
	const origin = server.url;
	await upload(origin, 'hello', HELLO_WORLD);
	const url = `${origin}/user-workers/hello/`;
	await autocannon({ url, connections: 10, duration: 2 });

	const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
	const socket = new WebSocket(targets.find((t) => t.id.includes('workers-platform')).webSocketDebuggerUrl);
	await new Promise((resolve, reject) => ((socket.onopen = resolve), (socket.onerror = reject)));
	let lastId = 0;
	const replies = new Map();
	socket.onmessage = (message) => {
		const reply = JSON.parse(message.data);
		replies.get(reply.id)?.(reply.result);
	};
	const send = (method, params = {}) =>
		new Promise((resolve) => {
			replies.set(++lastId, resolve);
			socket.send(JSON.stringify({ id: lastId, method, params }));
		});
	await send('Profiler.enable');
	await send('Profiler.setSamplingInterval', { interval: 200 });
	await send('Profiler.start');
	const result = await autocannon({ url, connections: 10, duration: seconds });
	const { profile } = await send('Profiler.stop');
	socket.close();

	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const selfUs = new Map();
	profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
	const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
	const bySelf = new Map();
	for (const [id, us] of selfUs) {
		const { functionName, lineNumber } = nodes.get(id).callFrame;
		const key = `${functionName || '(anonymous)'}${lineNumber >= 0 ? ` (bundle line ${lineNumber + 1})` : ''}`;
		bySelf.set(key, (bySelf.get(key) ?? 0) + us);
	}
	const share = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
	const perRequest = (us) => `${(us / result.requests.total / 1000).toFixed(3)} ms/request`;
	console.log(`${result.requests.total} requests in ${seconds} s (${(result.requests.total / seconds).toFixed(0)}/s); isolate profile ${(total / 1000).toFixed(0)} ms`);
	// (idle): the isolate waited (I/O, or the thread ran another Worker: the user Worker, Miniflare's entry, assets).
	const busy = total - (bySelf.get('(idle)') ?? 0) - (bySelf.get('(program)') ?? 0);
	console.log(`JavaScript in the platform isolate: ${perRequest(busy)}`);
	console.log('\nBy function (self time, top 25; async functions resume without their callers, so only self time is shown):');
	for (const [key, us] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(us)}  ${key}`);
} finally {
	await server.stop();
	await runners?.stop();
}
