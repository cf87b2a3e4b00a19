// `node bench/hop/prototypes.js`: the designs issue 15 item 3 weighed, measured back to back against the
// runner alone and ours (`npm start`): a minimal dispatcher (front-router.js) in its own workerd process in
// front of the runner, and the same dispatcher inside the runner's workerd process (a second Worker there,
// reached through an in-process service binding). Settings as bench/hop.js.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { appProcesses, processOnPort } from '../processes.js';
import { measureRounds } from './rounds.js';
import { startBare, startOurs } from '../targets.js';
import { bundleWorker } from '../../scripts/runner.js';
import { RUNNER_HEADERS } from '../../src/lib/server/runner-protocol.ts';

const settings = {
	rounds: Number(process.env.BENCH_ROUNDS || 3),
	seconds: Number(process.env.BENCH_SECONDS || 5),
	connections: Number(process.env.BENCH_CONNECTIONS || 10)
};
const COMPAT = '2026-08-01';
const running = [];
const portOf = (url) => Number(new URL(url).port);
const mfWith = (workers) => new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port: 0, cf: false, workers }));
try {
	const bare = await startBare({ isolated: true });
	running.push(bare);
	const runnerAlone = bare.runnerAlone;
	const secret = runnerAlone.headers[RUNNER_HEADERS.secret];
	const codeUrl = new URL(runnerAlone.headers[RUNNER_HEADERS.url]).origin;
	const front = await bundleWorker(fileURLToPath(new URL('./front-router.js', import.meta.url)));
	const runnerScript = await bundleWorker(fileURLToPath(new URL('../../src/runner/worker.ts', import.meta.url)));
	const runnerWorker = (socket) => ({
		name: 'runner',
		modules: true,
		script: runnerScript,
		compatibilityDate: COMPAT,
		workerLoaders: { LOADER: {} },
		bindings: { CODE_URL: codeUrl, RUNNER_SECRET: secret, EGRESS_PROXY_URL: 'http://127.0.0.1:9', MAX_LOADED_ISOLATES: '200', RECORD_LOGS: 'on' },
		serviceBindings: { USER_OUTBOUND: { name: 'runner', entrypoint: 'UserOutbound' } },
		...(socket ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {})
	});
	const frontWorker = (runner) => ({
		name: 'front',
		modules: true,
		script: front,
		compatibilityDate: COMPAT,
		bindings: { RUNNER_SECRET: secret },
		serviceBindings: { RUNNER: runner },
		unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }]
	});

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
