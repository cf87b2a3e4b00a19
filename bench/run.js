// `npm run bench`: builds the app (the npm script does), starts every target on loopback, loads them in
// alternating rounds, measures the control plane, lifecycle and redeploy-under-load (churn) figures, stops
// everything it started and writes bench/results.json and bench/results.md. Settings: BENCH_ROUNDS (3),
// BENCH_SECONDS (6), BENCH_CONNECTIONS (10), BENCH_WARMUP_SECONDS (3).
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { load, median } from './load.js';
import { measureAuthenticatedList } from './auth.js';
import { measureColdWarm, measureList, measureMemory, measureUploads } from './platform.js';
import { appProcesses, cpuMicroseconds, processOnPort } from './processes.js';
import { renderReport } from './report.js';
import { runChurn } from './churn.ts';
import { createPlatformClient } from '../src/lib/trpc/client.ts';
import { startBare, startDirect, startLoaderOnly, startOurs } from './targets.js';
import { measureEgressCost } from './egress.js';
import { measureLoggingOverhead, renderLogging } from './logging.js';

const settings = {
	rounds: Number(process.env.BENCH_ROUNDS || 3),
	seconds: Number(process.env.BENCH_SECONDS || 6),
	connections: Number(process.env.BENCH_CONNECTIONS || 10),
	warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS || 3)
};
const benchStarted = Date.now();
const log = (message) => console.log(`[bench ${((Date.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${message}`);

/** @type {{ stop: () => Promise<void> }[]} */
const running = [];
/** Targets still starting: stopping waits for them, so that none is left running. */
const starting = new Set();
async function stopAll() {
	await Promise.allSettled(starting);
	await Promise.allSettled(running.splice(0).map((target) => target.stop()));
}
// The apps run in their own process groups, so they would outlive this process: stop them on every way out.
let stopping = false;
const stopAndExit = (code, reason) => {
	stopping = true;
	log(`${reason}: stopping everything`);
	stopAll().finally(() => process.exit(code));
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAndExit(130, signal));
process.on('uncaughtException', (error) => stopAndExit(1, error.stack ?? String(error)));
process.on('unhandledRejection', (error) => stopAndExit(1, String(error)));

async function start(starter) {
	if (stopping) throw new Error('stopping');
	const started = starter().then((target) => (running.push(target), target));
	starting.add(started);
	const target = await started.finally(() => starting.delete(started));
	log(`started ${target.name} at ${target.url}`);
	return target;
}

try {
	const direct = await start(startDirect);
	const bare = await start(() => startBare({ isolated: true }));
	const runnerAlone = await start(async () => bare.runnerAlone);
	const ours = await start(() => startOurs({ isolated: true }));
	const loaderAlone = await start(startLoaderOnly);
	const bareInProcess = await start(() => startBare({ isolated: false }));
	const oursInProcess = await start(() => startOurs({ isolated: false }));
	// The same app and Worker, named by its subdomain (<name>.<PLATFORM_HOST>) instead of the /user-workers/ path.
	const oursSubdomain = {
		name: 'ours (subdomain)',
		url: `${ours.app.url}/`,
		headers: { host: `hello.localhost:${new URL(ours.app.url).port}` },
		app: ours.app,
		stop: async () => {}
	};
	const targets = [direct, runnerAlone, bare, ours, oursSubdomain, loaderAlone, bareInProcess, oursInProcess];
	// The processes whose CPU time each target's requests cost: the dispatcher's and the execution backend's.
	const portOf = (url) => Number(new URL(url).port);
	const appGroups = (target) => {
		const { app, runners } = appProcesses(portOf(target.url));
		return runners.length ? { app: [app.pid], runners: runners.map((r) => r.pid) } : { app: [app.pid] };
	};
	const cpuGroups = new Map([
		[direct, { workerd: [processOnPort(portOf(direct.url)).pid] }],
		[runnerAlone, { runner: [processOnPort(portOf(runnerAlone.url)).pid] }],
		[bare, { dispatcher: [processOnPort(portOf(bare.url)).pid], runner: [processOnPort(portOf(runnerAlone.url)).pid] }],
		[ours, appGroups(ours)],
		[oursSubdomain, appGroups(ours)],
		[loaderAlone, { workerd: [processOnPort(portOf(loaderAlone.url)).pid] }],
		[bareInProcess, { dispatcher: [processOnPort(portOf(bareInProcess.url)).pid] }],
		[oursInProcess, appGroups(oursInProcess)]
	]);
	const groupCpu = (target) =>
		Object.fromEntries(Object.entries(cpuGroups.get(target)).map(([group, pids]) => [group, pids.reduce((sum, pid) => sum + cpuMicroseconds(pid), 0)]));

	for (const target of targets) {
		log(`warming up ${target.name}`);
		await load(target.url, { seconds: settings.warmupSeconds, connections: settings.connections, headers: target.headers });
	}
	const rounds = [];
	for (let round = 1; round <= settings.rounds; round++) {
		// Each round starts with a different target, so no target always follows the same neighbour.
		const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
		for (const target of order) {
			const cpuBefore = groupCpu(target);
			const figures = await load(target.url, { ...settings, headers: target.headers });
			const cpuAfter = groupCpu(target);
			const cpuMicrosecondsPerRequest = Object.fromEntries(
				Object.keys(cpuAfter).map((group) => [group, Math.round((cpuAfter[group] - cpuBefore[group]) / figures.requests)])
			);
			rounds.push({ round, target: target.name, ...figures, cpuMicrosecondsPerRequest });
			log(`round ${round}/${settings.rounds} ${target.name}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`);
		}
	}
	const throughput = Object.fromEntries(
		targets.map(({ name }) => {
			const mine = rounds.filter((r) => r.target === name);
			const cpu = Object.fromEntries(
				Object.keys(mine[0].cpuMicrosecondsPerRequest).map((group) => [group, median(mine.map((r) => r.cpuMicrosecondsPerRequest[group]))])
			);
			return [
				name,
				{ rps: median(mine.map((r) => r.rps)), p50Ms: median(mine.map((r) => r.p50Ms)), p99Ms: median(mine.map((r) => r.p99Ms)), cpuMicrosecondsPerRequest: cpu }
			];
		})
	);
	const ratio = (a, b) => ({
		throughput: throughput[a.name].rps / throughput[b.name].rps,
		p99: throughput[a.name].p99Ms / throughput[b.name].p99Ms
	});
	const ratios = {
		'ours / bare': ratio(ours, bare),
		'ours / direct': ratio(ours, direct),
		'ours (in-process) / bare (in-process)': ratio(oursInProcess, bareInProcess),
		'ours (in-process) / direct': ratio(oursInProcess, direct),
		'ours / ours (in-process): the runner hop': ratio(ours, oursInProcess),
		'ours / runner alone': ratio(ours, runnerAlone),
		'ours (in-process) / Worker Loader alone': ratio(oursInProcess, loaderAlone),
		'runner alone / direct': ratio(runnerAlone, direct),
		'Worker Loader alone / direct': ratio(loaderAlone, direct),
		'ours (subdomain) / ours (path)': ratio(oursSubdomain, ours)
	};

	// The throughput targets are done; the rest loads one app at a time.
	for (const target of [direct, runnerAlone, bare, loaderAlone, bareInProcess]) {
		await target.stop();
		running.splice(running.indexOf(target), 1);
	}
	log('uploads: 100 new Workers, each until it answers, then 20 re-uploads');
	const uploads = await measureUploads(ours.app.url, { count: 100, reuploads: 20 });
	log('cold vs warm first request, 20 Workers');
	const coldWarm = await measureColdWarm(ours.app.url, { count: 20 });
	log('churn: 8 clients on one Worker while it is re-uploaded 20 times, then with every fifth a delete');
	const platformClient = createPlatformClient(ours.app.url);
	const churn = {
		redeploys: await runChurn(ours.app.url, platformClient, { name: 'bench-churn', uploads: 20, deleteEvery: 0 }),
		withDeletes: await runChurn(ours.app.url, platformClient, { name: 'bench-churn-delete', uploads: 20, deleteEvery: 5 })
	};
	log('memory: 10 000 distinct Workers, each called once, then idle');
	const memory = await measureMemory(ours.app.url, { count: 10000, idleSeconds: 10 });
	log('workers.list at 10, 1 000 and 10 000 Workers (registering them takes a while)');
	const list = await measureList(oursInProcess.app.url, { sizes: [10, 1000, 10000], limit: 50, samples: 30 });
	log('authenticated workers.list: 1 000 customers, 10 000 tokens');
	const auth = await measureAuthenticatedList({ customers: 1000, tokensPerCustomer: 10, samples: 300 });

	const results = {
		date: new Date().toISOString(),
		command: 'npm run bench',
		machine: {
			cores: os.availableParallelism(),
			cpu: os.cpus()[0]?.model ?? 'unknown',
			memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
			loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
			platform: `${os.type()} ${os.release()} ${os.arch()}`,
			node: process.version
		},
		settings,
		throughput,
		ratios,
		rounds,
		uploads,
		coldWarm,
		churn,
		list,
		auth,
		memory,
		egress: await measureEgressCost(settings, log),
		logging: await measureLoggingOverhead(settings, log),
		durationSeconds: Math.round((Date.now() - benchStarted) / 1000)
	};
	writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(results, null, '\t') + '\n');
	writeFileSync(new URL('./results.md', import.meta.url), renderReport(results) + '\n' + renderLogging(results.logging));
	log('wrote bench/results.json and bench/results.md');
	console.log('\n' + renderReport(results));
} finally {
	await stopAll();
}
