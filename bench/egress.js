// What the egress check costs a user Worker's subrequest: the same user Worker fetching a loopback echo
// server through the egress proxy (scripts/egress-proxy.js, as the runner sends it) and with workerd's own
// fetch(), in alternating rounds (bench/egress-worker.js). The proxy knows the echo server's name from its
// test-only host map, so no DNS lookup is timed on either side. Run by bench/run.js, or alone:
// `node bench/egress.js` (same BENCH_* settings).
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { createServer } from 'node:http';
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
	const echo = createServer((_request, response) => response.end('echo'));
	await new Promise((resolve) => echo.listen(0, '127.0.0.1', () => resolve(undefined)));
	const echoPort = /** @type {import('node:net').AddressInfo} */ (echo.address()).port;
	const secret = randomBytes(32).toString('hex');
	const proxy = await startEgressProxy({ secret, testHosts: { 'echo.test': '127.0.0.1' }, testAllow: [`127.0.0.1:${echoPort}`], log: () => {} });
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
						bindings: { EGRESS_PROXY_URL: proxy.url, SECRET: secret, CHECKED_URL: `http://echo.test:${echoPort}/`, DIRECT_URL: `http://127.0.0.1:${echoPort}/` },
						serviceBindings: { EGRESS: { name: 'egress-bench', entrypoint: 'ThroughEgressProxy' } }
					}
				]
			})
		);
		const origin = (await mf.ready).origin;
		const targets = { 'subrequest through the egress check': `${origin}/checked`, 'subrequest with workerd fetch(), unchecked': `${origin}/direct` };
		for (const url of Object.values(targets)) {
			const body = await (await fetch(url)).text();
			if (body !== 'echo') throw new Error(`${url} answered ${JSON.stringify(body)}, not the echo server's "echo"`);
			await load(url, { seconds: settings.warmupSeconds, connections: settings.connections });
		}
		/** @type {Record<string, { rps: number, p50Ms: number, p99Ms: number }[]>} */
		const rounds = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
		for (let round = 1; round <= settings.rounds; round++) {
			const order = round % 2 ? Object.entries(targets) : Object.entries(targets).reverse();
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
		const [checked, direct] = Object.values(throughput);
		return {
			throughput,
			checkedOverDirect: { throughput: checked.rps / direct.rps, p50Ms: checked.p50Ms - direct.p50Ms, p99Ms: checked.p99Ms - direct.p99Ms }
		};
	} finally {
		await mf?.dispose().catch(() => {});
		await proxy.stop();
		echo.closeAllConnections();
		await new Promise((resolve) => echo.close(() => resolve(undefined)));
	}
}

/** The section of bench/results.md. @param {Awaited<ReturnType<typeof measureEgressCost>> | undefined} egress */
export function renderEgressCost(egress) {
	if (!egress) return [];
	const { checkedOverDirect: cost } = egress;
	return [
		'',
		'## Subrequests: what the egress check costs (a user Worker fetching a loopback echo server)',
		'',
		'| target | requests/s | p50 | p99 |',
		'| --- | --- | --- | --- |',
		...Object.entries(egress.throughput).map(([name, t]) => `| ${name} | ${t.rps.toFixed(0)} | ${t.p50Ms} ms | ${t.p99Ms} ms |`),
		'',
		`Through the check: ${cost.throughput.toFixed(2)}× the throughput, p50 ${cost.p50Ms >= 0 ? '+' : ''}${cost.p50Ms} ms, ` +
			`p99 ${cost.p99Ms >= 0 ? '+' : ''}${cost.p99Ms} ms per request with one subrequest (the hop to the proxy in the supervisor, ` +
			'the address check, and the proxy\'s own connection to the server). DNS resolution is not included on either side.'
	];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
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
