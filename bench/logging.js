// Logging overhead: dispatch throughput of the app as `npm start` runs it with logs recorded (the default:
// a Worker over LOGS_MAX_PER_SECOND is sampled), with every request recorded (no sampling) and with
// WFP_LOGS=off (user Workers loaded without the Tail Worker), on a Worker that writes one console line per
// request, and the CPU time the app's processes (supervisor, app and runner workerd) spend per request: on
// a machine shared with other work, throughput swings with the others' load, while CPU time per request
// shows what recording itself costs. Alternating rounds, medians. `npm run bench` runs it (egress and logging last); alone:
// `node bench/logging.js` (after `npm run build`) writes bench/results-logging.json and .md.
import os from 'node:os';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startApp } from '../scripts/launch-app.js';
import { load, median } from './load.js';
import { upload } from './targets.js';

const LOGGER = `export default { fetch(request) { console.log('served', new URL(request.url).pathname); return new Response('hello') } }`;

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by the processes of process group `group` (Linux /proc; 0 elsewhere). */
function groupCpuSeconds(group) {
	let ticks = 0;
	let entries = [];
	try {
		entries = readdirSync('/proc');
	} catch {
		return 0;
	}
	for (const pid of entries) {
		if (!/^\d+$/.test(pid)) continue;
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
		} catch {
			// The process ended meanwhile.
		}
	}
	return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * @param {{ rounds: number, seconds: number, connections: number, warmupSeconds: number }} settings
 * @param {(message: string) => void} log
 */
export async function measureLoggingOverhead(settings, log) {
	const targets = [];
	try {
		for (const [name, env] of [
			['logs on', {}],
			['logs off (WFP_LOGS=off)', { WFP_LOGS: 'off' }],
			['every request recorded', { LOGS_MAX_PER_SECOND: String(1e9) }]
		]) {
			const app = await startApp(env);
			targets.push({ name, app, url: `${app.url}/user-workers/logger/` });
			await upload(app.url, 'logger', LOGGER);
		}
		for (const target of targets) await load(target.url, { seconds: settings.warmupSeconds, connections: settings.connections });
		/** @type {Record<string, number[]>} */
		const rps = Object.fromEntries(targets.map((target) => [target.name, []]));
		/** @type {Record<string, number[]>} */
		const cpu = Object.fromEntries(targets.map((target) => [target.name, []]));
		for (let round = 1; round <= settings.rounds; round++) {
			const order = targets.map((_, i) => targets[(i + round) % targets.length]);
			for (const target of order) {
				const before = groupCpuSeconds(target.app.pid);
				const figures = await load(target.url, { seconds: settings.seconds, connections: settings.connections });
				// The entries of the last requests are sent within half a second: their recording counts too.
				await new Promise((resolve) => setTimeout(resolve, 1000));
				const microseconds = ((groupCpuSeconds(target.app.pid) - before) * 1e6) / figures.requests;
				rps[target.name].push(figures.rps);
				cpu[target.name].push(Math.round(microseconds));
				log(`logging round ${round}/${settings.rounds} ${target.name}: ${figures.rps.toFixed(0)} req/s, ${microseconds.toFixed(0)} µs CPU per request`);
			}
		}
		const [on, off, all] = targets.map((target) => median(rps[target.name]));
		const [cpuOn, cpuOff, cpuAll] = targets.map((target) => median(cpu[target.name]));
		const percent = (/** @type {number} */ part, /** @type {number} */ whole) => Math.round((part / whole) * 1000) / 10;
		return {
			worker: 'one console.log line per request',
			medianRps: { logsOn: Math.round(on), logsOff: Math.round(off), everyRequestRecorded: Math.round(all) },
			fewerRequestsPerSecondPercent: percent(off - on, off),
			medianCpuMicrosecondsPerRequest: { logsOn: cpuOn, logsOff: cpuOff, everyRequestRecorded: cpuAll },
			moreCpuPerRequestPercent: percent(cpuOn - cpuOff, cpuOff),
			everyRequestRecorded: { fewerRequestsPerSecondPercent: percent(off - all, off), moreCpuPerRequestPercent: percent(cpuAll - cpuOff, cpuOff) },
			rounds: rps,
			cpuRounds: cpu
		};
	} finally {
		await Promise.allSettled(targets.map((target) => target.app.stop()));
	}
}

/** @param {Awaited<ReturnType<typeof measureLoggingOverhead>>} figures */
export function renderLogging(figures) {
	return [
		'## Logging overhead',
		'',
		`Dispatch throughput with logs recorded vs \`WFP_LOGS=off\` (${figures.worker}), median of the rounds:`,
		'',
		'| | req/s | CPU µs per request (supervisor, app and runners) |',
		'| --- | ---: | ---: |',
		`| logs on | ${figures.medianRps.logsOn} | ${figures.medianCpuMicrosecondsPerRequest.logsOn} |`,
		`| logs off | ${figures.medianRps.logsOff} | ${figures.medianCpuMicrosecondsPerRequest.logsOff} |`,
		`| every request recorded (\`LOGS_MAX_PER_SECOND\` unbounded) | ${figures.medianRps.everyRequestRecorded} | ${figures.medianCpuMicrosecondsPerRequest.everyRequestRecorded} |`,
		'',
		`Recording costs ${figures.fewerRequestsPerSecondPercent} % of the requests per second (target: at most 5 %) and ${figures.moreCpuPerRequestPercent} % more CPU time per request,`,
		`with the default log rate (\`LOGS_MAX_PER_SECOND\` 100): at this load the Worker is over it, so most requests run without the Tail Worker and only count in its metrics.`,
		`Recording every request (a Tail Worker call each) costs ${figures.everyRequestRecorded.fewerRequestsPerSecondPercent} % of the requests per second and ${figures.everyRequestRecorded.moreCpuPerRequestPercent} % more CPU time per request.`,
		...Object.entries(figures.rounds).map(([name, rounds]) => `Rounds, ${name}: ${rounds.map(Math.round).join(', ')} req/s; ${figures.cpuRounds[name].join(', ')} µs CPU per request.`),
		''
	].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const settings = {
		rounds: Number(process.env.BENCH_ROUNDS || 3),
		seconds: Number(process.env.BENCH_SECONDS || 6),
		connections: Number(process.env.BENCH_CONNECTIONS || 10),
		warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS || 3)
	};
	const figures = await measureLoggingOverhead(settings, (message) => console.log(`[bench] ${message}`));
	const results = {
		date: new Date().toISOString(),
		command: 'node bench/logging.js',
		machine: { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
		settings,
		logging: figures
	};
	writeFileSync(new URL('./results-logging.json', import.meta.url), JSON.stringify(results, null, '\t') + '\n');
	const report = `# Logging benchmark\n\n${results.date}, ${results.machine.cores} cores (${results.machine.cpu}), load average at end ${results.machine.loadAverageAtEnd.join(' ')}; shared machine.\n\n${renderLogging(figures)}`;
	writeFileSync(new URL('./results-logging.md', import.meta.url), report);
	console.log(report);
}
