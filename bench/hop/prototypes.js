// `node bench/hop/prototypes.js`: the designs issue 15 item 3 weighed, measured back to back against the
// runner alone and ours (`npm start`): a minimal dispatcher (front-router.js) in its own workerd process in
// front of the runner, and the same dispatcher inside the runner's workerd process (a second Worker there,
// reached through an in-process service binding). Settings as bench/hop.js.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { appProcesses, processOnPort } from '../processes.js';
import { measureRounds } from './rounds.js';
import { startBare, startOurs } from '../targets.js';
import { prototypeWorkers } from './prototype-workers.js';

const settings = {
	rounds: Number(process.env.BENCH_ROUNDS || 3),
	seconds: Number(process.env.BENCH_SECONDS || 5),
	connections: Number(process.env.BENCH_CONNECTIONS || 10)
};
const running = [];
const portOf = (url) => Number(new URL(url).port);
const mfWith = (workers) => new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port: 0, cf: false, workers }));
try {
	const bare = await startBare({ isolated: true });
	running.push(bare);
	const runnerAlone = bare.runnerAlone;
	const { frontWorker, runnerWorker } = await prototypeWorkers(runnerAlone);

	// Front in its own process, in front of the bench's runner (the runner alone's process).
	const frontProcess = mfWith([frontWorker({ external: { address: new URL(runnerAlone.url).host, http: {} } })]);
	running.push({ stop: () => frontProcess.dispose() });
	const frontUrl = (await frontProcess.unsafeGetDirectURL('front')).origin + '/user-workers/hello/';
	// Front and runner in one process.
	const together = mfWith([frontWorker('runner'), runnerWorker(false)]);
	running.push({ stop: () => together.dispose() });
	const togetherUrl = (await together.unsafeGetDirectURL('front')).origin + '/user-workers/hello/';

	const ours = await startOurs({ isolated: true });
	running.push(ours);
	const targets = [
		{ name: 'runner alone', url: runnerAlone.url, headers: runnerAlone.headers, pids: () => [processOnPort(portOf(runnerAlone.url)).pid] },
		{ name: 'front process + runner', url: frontUrl, pids: () => [processOnPort(portOf(frontUrl)).pid, processOnPort(portOf(runnerAlone.url)).pid] },
		{ name: 'front in the runner process', url: togetherUrl, pids: () => [processOnPort(portOf(togetherUrl)).pid] },
		{
			name: 'ours',
			url: ours.url,
			pids: () => {
				const { app, runners } = appProcesses(portOf(ours.url));
				return [app.pid, ...runners.map((r) => r.pid)];
			}
		}
	];
	await measureRounds(targets, settings);
} finally {
	await Promise.allSettled(running.map((target) => target.stop()));
}
