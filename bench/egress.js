// What the egress check costs a user Worker's subrequest: the same user Worker fetching a loopback echo
// server through the egress proxy (scripts/egress-proxy.js, as the runner sends it) and with workerd's own
// fetch(), in alternating rounds (bench/egress-worker.js). The proxy and the echo server run in a process of
// their own, as the proxy runs in the runner's supervisor, away from the load generator. The proxy knows the
// echo server's name from its test-only host map, so no DNS lookup is timed on either side. Run by
// bench/run.js, or alone: `node bench/egress.js` (same BENCH_* settings).
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../scripts/runner.js';
import { startEgressProxy } from '../scripts/egress-proxy.js';
import { load, median } from './load.js';
import { HELLO_SCRIPT } from './hello-worker.js';

/**
 * @param {{ rounds: number, seconds: number, connections: number, warmupSeconds: number }} settings
 * @param {(message: string) => void} log
 */
export async function measureEgressCost(settings, log) {
	log('subrequests: through the egress check vs unchecked');
	const secret = randomBytes(32).toString('hex');
	const servers = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve'], {
		env: { ...process.env, BENCH_EGRESS_SECRET: secret },
		stdio: ['pipe', 'pipe', 'inherit']
	});
	const [line] = await once(servers.stdout, 'data');
	/** @type {{ proxyUrl: string, echoPort: number }} */
	const { proxyUrl, echoPort } = JSON.parse(String(line));
	let mf;
	try {
		mf = new Miniflare(
			convertV4MiniflareOptions({
				host: '127.0.0.1',
				port: 0,
				workers: [
					{
						name: 'egress-bench',
						modules: true,
						script: await bundleWorker(fileURLToPath(new URL('./egress-worker.js', import.meta.url))),
						compatibilityDate: HELLO_SCRIPT.compatibilityDate,
						workerLoaders: { LOADER: {} },
						bindings: { EGRESS_PROXY_URL: proxyUrl, SECRET: secret, CHECKED_URL: `http://echo.test:${echoPort}/`, DIRECT_URL: `http://127.0.0.1:${echoPort}/` },
						serviceBindings: {
							EGRESS: { name: 'egress-bench', entrypoint: 'ThroughEgressProxy' },
							OUTBOUND: { name: 'egress-bench', entrypoint: 'PlainOutbound' }
						}
					}
				]
			})
		);
		const origin = (await mf.ready).origin;
		const targets = {
			'subrequest through the egress check': `${origin}/checked`,
			'subrequest through an outbound entrypoint, no proxy': `${origin}/outbound`,
			'subrequest with workerd fetch(), unchecked': `${origin}/direct`
		};
		for (const url of Object.values(targets)) {
			const body = await (await fetch(url)).text();
			if (body !== 'echo') throw new Error(`${url} answered ${JSON.stringify(body)}, not the echo server's "echo"`);
			await load(url, { seconds: settings.warmupSeconds, connections: settings.connections });
		}
		/** @type {Record<string, { rps: number, p50Ms: number, p99Ms: number }[]>} */
		const rounds = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
		for (let round = 1; round <= settings.rounds; round++) {
			// Each round starts with a different target.
			const entries = Object.entries(targets);
			const order = entries.map((_, i) => entries[(i + round - 1) % entries.length]);
			for (const [name, url] of order) {
				const figures = await load(url, { seconds: settings.seconds, connections: settings.connections });
				rounds[name].push(figures);
				log(`egress round ${round}/${settings.rounds} ${name}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`);
			}
		}
		const throughput = Object.fromEntries(
			Object.entries(rounds).map(([name, list]) => [
				name,
				{ rps: median(list.map((r) => r.rps)), p50Ms: median(list.map((r) => r.p50Ms)), p99Ms: median(list.map((r) => r.p99Ms)) }
			])
		);
		const [checked, outbound, direct] = Object.values(throughput);
		/** @param {typeof checked} a @param {typeof checked} b */
		const compare = (a, b) => ({ throughput: a.rps / b.rps, p50Ms: a.p50Ms - b.p50Ms, p99Ms: a.p99Ms - b.p99Ms });
		return { throughput, checkedOverDirect: compare(checked, direct), checkedOverOutbound: compare(checked, outbound) };
	} finally {
		await mf?.dispose().catch(() => {});
		servers.kill();
	}
}

/** The section of bench/results.md. @param {Awaited<ReturnType<typeof measureEgressCost>> | undefined} egress */
export function renderEgressCost(egress) {
	if (!egress) return [];
	/** @param {string} what @param {{ throughput: number, p50Ms: number, p99Ms: number }} cost */
	const line = (what, cost) =>
		`| ${what} | ${cost.throughput.toFixed(2)}× | ${cost.p50Ms >= 0 ? '+' : ''}${cost.p50Ms} ms | ${cost.p99Ms >= 0 ? '+' : ''}${cost.p99Ms} ms |`;
	return [
		'',
		'## Subrequests: what the egress check costs (a user Worker fetching a loopback echo server)',
		'',
		'| target | requests/s | p50 | p99 |',
		'| --- | --- | --- | --- |',
		...Object.entries(egress.throughput).map(([name, t]) => `| ${name} | ${t.rps.toFixed(0)} | ${t.p50Ms} ms | ${t.p99Ms} ms |`),
		'',
		'| through the egress check, compared with | throughput | p50 | p99 |',
		'| --- | --- | --- | --- |',
		line("workerd's own fetch()", egress.checkedOverDirect),
		line('an outbound entrypoint without the proxy', egress.checkedOverOutbound),
		'',
		"The check's cost: the hop to the proxy in the supervisor, the address check, and the proxy's own connection " +
			'to the server; one subrequest per request. DNS resolution is not included on either side.',
		''
	];
}

/** The child process: the echo server and the egress proxy, until the bench stops it or goes away (stdin ends). */
async function serve() {
	const echo = createServer((_request, response) => response.end('echo'));
	await new Promise((resolve) => echo.listen(0, '127.0.0.1', () => resolve(undefined)));
	const echoPort = /** @type {import('node:net').AddressInfo} */ (echo.address()).port;
	const proxy = await startEgressProxy({
		secret: /** @type {string} */ (process.env.BENCH_EGRESS_SECRET),
		testHosts: { 'echo.test': '127.0.0.1' },
		testAllow: [`127.0.0.1:${echoPort}`],
		log: () => {}
	});
	process.stdout.write(JSON.stringify({ proxyUrl: proxy.url, echoPort }) + '\n');
	process.stdin.on('end', () => process.exit(0)).resume();
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'serve') await serve();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const settings = {
		rounds: Number(process.env.BENCH_ROUNDS || 3),
		seconds: Number(process.env.BENCH_SECONDS || 6),
		connections: Number(process.env.BENCH_CONNECTIONS || 10),
		warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS || 3)
	};
	const egress = await measureEgressCost(settings, console.log);
	console.log(JSON.stringify(egress, null, '\t'));
	console.log(renderEgressCost(egress).join('\n'));
}
