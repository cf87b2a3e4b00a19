// Logging overhead: dispatch throughput of the app as `npm start` runs it with logs recorded (the default)
// and with WFP_LOGS=off (user Workers loaded without the Tail Worker), on a Worker that writes one console
// line per request. Alternating rounds, medians. `npm run bench` runs it (egress and logging last); alone:
// `node bench/logging.js` (after `npm run build`) writes bench/results-logging.json and .md.
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startApp } from '../scripts/launch-app.js';
import { load, median } from './load.js';
import { upload } from './targets.js';

const LOGGER = `export default { fetch(request) { console.log('served', new URL(request.url).pathname); return new Response('hello') } }`;

/**
 * @param {{ rounds: number, seconds: number, connections: number, warmupSeconds: number }} settings
 * @param {(message: string) => void} log
 */
export async function measureLoggingOverhead(settings, log) {
	const targets = [];
	try {
		for (const [name, env] of [
			['logs on', {}],
			['logs off (WFP_LOGS=off)', { WFP_LOGS: 'off' }]
		]) {
			const app = await startApp(env);
			targets.push({ name, app, url: `${app.url}/user-workers/logger/` });
			await upload(app.url, 'logger', LOGGER);
		}
		for (const target of targets) await load(target.url, { seconds: settings.warmupSeconds, connections: settings.connections });
		/** @type {Record<string, number[]>} */
		const rps = Object.fromEntries(targets.map((target) => [target.name, []]));
		for (let round = 1; round <= settings.rounds; round++) {
			const order = round % 2 ? targets : [...targets].reverse();
			for (const target of order) {
				const figures = await load(target.url, { seconds: settings.seconds, connections: settings.connections });
				rps[target.name].push(figures.rps);
				log(`logging round ${round}/${settings.rounds} ${target.name}: ${figures.rps.toFixed(0)} req/s`);
			}
		}
		const [on, off] = targets.map((target) => median(rps[target.name]));
		return {
			worker: 'one console.log line per request',
			medianRps: { logsOn: Math.round(on), logsOff: Math.round(off) },
			fewerRequestsPerSecondPercent: Math.round(((off - on) / off) * 1000) / 10,
			rounds: rps
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
		'| | req/s |',
		'| --- | ---: |',
		`| logs on | ${figures.medianRps.logsOn} |`,
		`| logs off | ${figures.medianRps.logsOff} |`,
		'',
		`Recording costs ${figures.fewerRequestsPerSecondPercent} % of the requests per second (target: at most 5 %).`,
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
