// `node bench/hop.js` (after `npm run build`): the dispatch path's variants back to back, in alternating
// rounds, the way `npm run bench` loads its targets: the runner alone, ours (`npm start`), and each variant
// named in HOP_VARIANTS (comma-separated app settings, e.g. "WFP_X=1"). Prints requests/s and CPU per
// request of each, and ours / runner alone. Settings: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_CONNECTIONS (10).
import { load, median } from './load.js';
import { appProcesses, cpuMicroseconds, processOnPort } from './processes.js';
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
	for (const target of targets) await load(target.url, { seconds: 2, connections: settings.connections, headers: target.headers });
	const rounds = [];
	for (let round = 1; round <= settings.rounds; round++) {
		for (const target of targets.map((_, i) => targets[(i + round - 1) % targets.length])) {
			const pids = target.pids();
			const before = pids.map(cpuMicroseconds);
			const figures = await load(target.url, { ...settings, headers: target.headers });
			const cpu = pids.map((pid, i) => Math.round((cpuMicroseconds(pid) - before[i]) / figures.requests));
			rounds.push({ target: target.name, rps: figures.rps, p99: figures.p99Ms, cpu });
			console.log(`round ${round} ${target.name}: ${figures.rps.toFixed(0)} req/s, p99 ${figures.p99Ms} ms, CPU µs/request ${cpu.join(' + ')}`);
		}
	}
	const rps = Object.fromEntries(targets.map(({ name }) => [name, median(rounds.filter((r) => r.target === name).map((r) => r.rps))]));
	for (const { name } of targets) {
		const mine = rounds.filter((r) => r.target === name);
		const cpu = mine[0].cpu.map((_, i) => median(mine.map((r) => r.cpu[i])));
		console.log(`${name}: ${rps[name].toFixed(0)} req/s (${(rps[name] / rps['runner alone']).toFixed(2)}× runner alone), CPU µs/request ${cpu.join(' + ')}`);
	}
} finally {
	await Promise.allSettled(running.map((target) => target.stop()));
}
