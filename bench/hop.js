// `node bench/hop.js` (after `npm run build`): the dispatch path's variants back to back, in alternating
// rounds, the way `npm run bench` loads its targets: the runner alone, ours (`npm start`), and each variant
// named in HOP_VARIANTS (comma-separated app settings, e.g. "WFP_X=1"). Prints requests/s and CPU per
// request of each, and ours / runner alone. Settings: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_CONNECTIONS (10).
import { appProcesses, processOnPort } from './processes.js';
import { measureRounds } from './hop/rounds.js';
import { startBare, startOurs } from './targets.js';

const settings = {
	rounds: Number(process.env.BENCH_ROUNDS || 3),
	seconds: Number(process.env.BENCH_SECONDS || 5),
	connections: Number(process.env.BENCH_CONNECTIONS || 10)
};
const variants = (process.env.HOP_VARIANTS ?? '').split(',').filter(Boolean);
const running = [];
const portOf = (url) => Number(new URL(url).port);
try {
	const bare = await startBare({ isolated: true });
	running.push(bare);
	const runnerAlone = bare.runnerAlone;
	const targets = [{ ...runnerAlone, pids: () => [processOnPort(portOf(runnerAlone.url)).pid] }];
	for (const variant of ['', ...variants]) {
		const env = Object.fromEntries(variant ? [variant.split('=')] : []);
		const ours = await startOurs({ isolated: true, env });
		running.push(ours);
		const pids = () => {
			const { app, runners } = appProcesses(portOf(ours.url));
			return [app.pid, ...runners.map((r) => r.pid)];
		};
		targets.push({ name: variant ? `ours ${variant}` : 'ours', url: ours.url, headers: ours.headers, pids });
	}
	await measureRounds(targets, settings);
} finally {
	await Promise.allSettled(running.map((target) => target.stop()));
}
