// bench/results.md: the readable table, ratios first, each compared with the issue's target.
import { renderEgressCost } from './egress.js';
const x = (value) => `${value.toFixed(2)}×`;
const mib = (bytes) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const verdict = (ok) => (ok ? 'met' : '**missed**');

export function renderReport(results) {
	const { machine, settings, throughput, ratios, uploads, coldWarm, churn, list, auth, memory } = results;
	const lines = [
		`# Benchmark results`,
		'',
		`\`${results.command}\` on ${results.date.slice(0, 16).replace('T', ' ')} UTC: ${machine.cores} cores (${machine.cpu}), ` +
			`${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}; load average at the end ${machine.loadAverageAtEnd.join(' / ')}. ` +
			`${settings.rounds} alternating rounds × ${settings.seconds} s per target, ${settings.connections} connections, after a ${settings.warmupSeconds} s warm-up; medians. ` +
			`Took ${results.durationSeconds} s.`,
		'',
		'## Ratios',
		'',
		'| comparison | throughput | p99 latency | target |',
		'| --- | --- | --- | --- |'
	];
	const target = {
		'ours / bare': (r) => `≥ 1.0× throughput, p99 ≤ 1.1×: ${verdict(r.throughput >= 1 && r.p99 <= 1.1)}`,
		'ours / direct': (r) => `≥ 0.85× throughput: ${verdict(r.throughput >= 0.85)}`,
		'ours (in-process) / bare (in-process)': (r) => `(same as ours / bare): ${verdict(r.throughput >= 1 && r.p99 <= 1.1)}`,
		'ours (in-process) / direct': (r) => `(same as ours / direct): ${verdict(r.throughput >= 0.85)}`,
		'ours / ours (in-process): the runner hop': () => 'what fault isolation costs',
		'ours / runner alone': () => 'what the platform adds to its execution backend',
		'ours (in-process) / Worker Loader alone': () => 'the same, in-process',
		'runner alone / direct': () => 'the most any dispatcher through the runner can reach',
		'Worker Loader alone / direct': () => 'the most any in-process dispatcher can reach',
		'ours (subdomain) / ours (path)': (r) => `routing by host adds no measurable cost (≈ 1.0×): ${verdict(r.throughput >= 0.9)}`
	};
	for (const [name, r] of Object.entries(ratios)) lines.push(`| ${name} | ${x(r.throughput)} | ${x(r.p99)} | ${target[name](r)} |`);

	lines.push(
		'',
		'## Dispatch throughput',
		'',
		'CPU per request: the CPU time (user + system) of the processes serving the target during its rounds, divided by its requests (medians).',
		'',
		'| target | requests/s | p50 | p99 | CPU per request |',
		'| --- | --- | --- | --- | --- |'
	);
	for (const [name, t] of Object.entries(throughput)) {
		const cpu = Object.entries(t.cpuMicrosecondsPerRequest ?? {}).map(([group, us]) => `${group} ${us} µs`);
		lines.push(`| ${name} | ${t.rps.toFixed(0)} | ${t.p50Ms} ms | ${t.p99Ms} ms | ${cpu.join(' + ')} |`);
	}

	const listAt10k = list.find((l) => l.workers === 10000);
	lines.push(
		'',
		'## Control plane and lifecycle (ours, `npm start` with its runner; `workers.list` on the in-process app)',
		'',
		'| measure | p50 | p99 | target |',
		'| --- | --- | --- | --- |',
		`| upload (${uploads.upload.samples} new Workers) | ${uploads.upload.p50Ms} ms | ${uploads.upload.p99Ms} ms | |`,
		`| upload to first successful response | ${uploads.uploadToFirstResponse.p50Ms} ms | ${uploads.uploadToFirstResponse.p99Ms} ms | < 100 ms p50: ${verdict(uploads.uploadToFirstResponse.p50Ms < 100)} |`,
		`| re-upload served by the very next request | ${uploads.reuploadVisibleOnNextRequest} | | all: ${verdict(/^(\d+)\/\1$/.test(uploads.reuploadVisibleOnNextRequest))} |`,
		`| first request to a Worker that never ran (cold, ${coldWarm.cold.samples}) | ${coldWarm.cold.p50Ms} ms | ${coldWarm.cold.p99Ms} ms | |`,
		`| the following requests (warm, ${coldWarm.warm.samples}) | ${coldWarm.warm.p50Ms} ms | ${coldWarm.warm.p99Ms} ms | |`,
		...list.map(
			(l) =>
				`| \`workers.list\` page of ${l.limit}, ${l.workers.toLocaleString('en')} Workers | ${l.p50Ms} ms | ${l.p99Ms} ms | ${l === listAt10k ? `< 50 ms p50: ${verdict(l.p50Ms < 50)}` : ''} |`
		),
		...(auth
			? ['customer token', 'admin token', 'session cookie'].map(
					(kind) =>
						`| \`workers.list\` with a ${kind}, ${auth.customers.toLocaleString('en')} customers and ${auth.tokens.toLocaleString('en')} tokens | ${auth[kind].p50Ms} ms | ${auth[kind].p99Ms} ms | |`
				)
			: []),
		'',
		'## Redeploys under load (churn: 8 clients on one Worker while it is uploaded 20 times)',
		'',
		'| run | requests served | answers by status | from a version not active during the request | target |',
		'| --- | --- | --- | --- | --- |',
		...[
			['re-uploads only', churn.redeploys, (c) => `no 5xx, no 404: ${verdict(Object.keys(c.byStatus).join() === '200')}`],
			['every fifth a delete + upload', churn.withDeletes, (c) => `no 5xx: ${verdict(Object.keys(c.byStatus).every((s) => s < 500))}`]
		].map(
			([label, c, goal]) =>
				`| ${label} | ${c.requests} in ${(c.durationMs / 1000).toFixed(1)} s | ${Object.entries(c.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')} | ${c.fromInactiveVersion.length} | ${goal(c)} |`
		),
		'',
		`Memory with ${memory.workers.toLocaleString('en')} distinct Workers each called once (in ${memory.callSeconds} s, every request answered; resident set): ` +
			`the ${memory.after.perRunnerBytes.length} runner processes together ${mib(memory.before.runnersBytes)} before → ${mib(memory.after.runnersBytes)} after → ` +
			`${mib(memory.afterIdle.runnersBytes)} after ${memory.idleSeconds} s idle (each: ${memory.afterIdle.perRunnerBytes.map(mib).join(', ')}; ` +
			`target < 1024 MiB: ${verdict(Math.max(memory.after.runnersBytes, memory.afterIdle.runnersBytes) < 2 ** 30)}); ` +
			`app process ${mib(memory.before.appBytes)} → ${mib(memory.after.appBytes)} → ${mib(memory.afterIdle.appBytes)}.`,
		''
	);
	lines.push(...renderEgressCost(results.egress));
	return lines.join('\n');
}
