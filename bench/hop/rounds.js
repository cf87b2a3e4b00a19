// The measuring loop of bench/hop.js and bench/hop/prototypes.js: every target warmed up, then loaded in
// alternating rounds (each round starts with another target), with the CPU time of the processes serving
// each target per request; prints each round and the medians, as multiples of the runner alone's requests/s.
import { load, median } from '../load.js';
import { cpuMicroseconds } from '../processes.js';

/**
 * @param {{ name: string, url: string, headers?: Record<string, string>, pids: () => number[] }[]} targets
 *   the first is the runner alone, the reference; `pids`: the processes whose CPU time its requests cost
 * @param {{ rounds: number, seconds: number, connections: number }} settings
 */
export async function measureRounds(targets, settings) {
	for (const target of targets) await load(target.url, { seconds: 2, connections: settings.connections, headers: target.headers });
	const rounds = [];
	for (let round = 1; round <= settings.rounds; round++) {
		for (const target of targets.map((_, i) => targets[(i + round - 1) % targets.length])) {
			const pids = target.pids();
			const before = pids.map(cpuMicroseconds);
			const figures = await load(target.url, { ...settings, headers: target.headers });
			const cpu = pids.map((pid, i) => Math.round((cpuMicroseconds(pid) - before[i]) / figures.requests));
			rounds.push({ target: target.name, rps: figures.rps, cpu });
			console.log(`round ${round} ${target.name}: ${figures.rps.toFixed(0)} req/s, p99 ${figures.p99Ms} ms, CPU µs/request ${cpu.join(' + ')}`);
		}
	}
	const rps = Object.fromEntries(targets.map(({ name }) => [name, median(rounds.filter((r) => r.target === name).map((r) => r.rps))]));
	const reference = rps[targets[0].name];
	for (const { name } of targets) {
		const mine = rounds.filter((r) => r.target === name);
		const cpu = mine[0].cpu.map((_, i) => median(mine.map((r) => r.cpu[i])));
		console.log(`${name}: ${rps[name].toFixed(0)} req/s (${(rps[name] / reference).toFixed(2)}× ${targets[0].name}), CPU µs/request ${cpu.join(' + ')}`);
	}
}
