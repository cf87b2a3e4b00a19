// `node bench/hop/shared-socket.js` (after `npm run build`): the shared-socket design of bench/results-hop.md,
// as far as a prototype goes: two workerd processes accept on one listening socket this script opened (as
// the supervisor would), so the kernel hands each new connection to a process that is accepting. Each runs
// the minimal dispatcher (front-router.js) in front of the runner Worker. Two layouts:
//   any Worker anywhere: both processes run the runner Worker, and a request runs where it lands;
//   pinned: the hello Worker is pinned to the first process; a request landing on the second is forwarded
//           to the first's runner socket (half of them, the kernel spreading connections evenly).
// Miniflare cannot pass a descriptor to workerd, so the script captures the config Miniflare generates (a
// wrapper named in MINIFLARE_WORKERD_PATH tees it) and starts the processes from it with
// `workerd serve --socket-fd`. Measured against the runner alone and the one-process prototype.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import { chmodSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureRounds } from './rounds.js';
import { startBare } from '../targets.js';
import { processOnPort } from '../processes.js';
import { prototypeWorkers } from './prototype-workers.js';

const settings = { rounds: Number(process.env.BENCH_ROUNDS || 3), seconds: Number(process.env.BENCH_SECONDS || 5), connections: 10 };
const running = [];
const stopAll = () => Promise.allSettled(running.reverse().map((target) => target.stop()));

/** Listening sockets on loopback whose descriptors the children inherit; this process stops accepting on them once they have. */
const servers = [];
async function listeningSocket() {
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	servers.push(server);
	// @ts-expect-error: the handle's descriptor (Unix)
	return { port: server.address().port, fd: server._handle.fd };
}

try {
	const bare = await startBare({ isolated: true });
	running.push(bare);
	const runnerAlone = bare.runnerAlone;
	const { frontWorker, runnerWorker } = await prototypeWorkers(runnerAlone);

	// The workerd binary Miniflare runs, and a wrapper that keeps each run's arguments and config.
	const workerd = createRequire(createRequire(import.meta.url).resolve('miniflare'))('workerd').default;
	const capture = mkdtempSync(join(tmpdir(), 'wfp-shared-socket-'));
	running.push({ stop: async () => rmSync(capture, { recursive: true, force: true }) });
	const wrapper = join(capture, 'workerd.sh');
	// It reads the whole config first (Miniflare ends stdin once written), then becomes workerd (exec), so
	// Miniflare's stop ends workerd itself rather than a shell in front of it.
	writeFileSync(
		wrapper,
		`#!/bin/sh\necho "$@" > ${capture}/args-$$.txt\necho $$ > ${capture}/last\ncat > ${capture}/config-$$.bin\nexec ${workerd} "$@" < ${capture}/config-$$.bin\n`
	);
	chmodSync(wrapper, 0o755);

	/** Starts `workers` in Miniflare (kept running: it serves the loopback service) and returns its config and arguments. */
	async function captured(workers) {
		process.env.MINIFLARE_WORKERD_PATH = wrapper;
		const mf = new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port: 0, cf: false, workers }));
		running.push({ stop: () => mf.dispose() });
		const url = (await mf.unsafeGetDirectURL('front')).origin + '/user-workers/hello/';
		delete process.env.MINIFLARE_WORKERD_PATH;
		const id = readFileSync(join(capture, 'last'), 'utf8').trim();
		return { url, config: join(capture, `config-${id}.bin`), args: readFileSync(join(capture, `args-${id}.txt`), 'utf8').trim().split(' ') };
	}

	/** A workerd process from a captured config, its sockets (`direct:<worker index>:<entrypoint>`) on the descriptors given. */
	function spawnFrom({ config, args }, sockets) {
		const childArgs = args.filter((arg) => !arg.startsWith('--control-fd') && !arg.startsWith('--socket-addr=entry'));
		const fds = Object.values(sockets);
		childArgs.splice(childArgs.length - 1, 0, '--socket-addr=entry=127.0.0.1:0', ...Object.keys(sockets).map((name, i) => `--socket-fd=${name}=${3 + i}`));
		const child = spawn(workerd, childArgs, { stdio: ['pipe', 'inherit', 'inherit', ...fds] });
		createReadStream(config).pipe(child.stdin);
		running.push({ stop: async () => child.kill() });
		return child;
	}

	const together = await captured([frontWorker('runner'), runnerWorker(false)]);

	// Any Worker anywhere: two copies of the one-process prototype on one socket.
	const anywhere = await listeningSocket();
	const anywhereProcesses = [0, 1].map(() => spawnFrom(together, { 'direct:0:default': anywhere.fd }));

	// Pinned: the first process also listens on a socket of its own for its runner; the second forwards there.
	const pinnedShared = await listeningSocket();
	const firstRunner = await listeningSocket();
	const withRunnerSocket = await captured([frontWorker('runner'), runnerWorker(true)]);
	const forwarding = await captured([frontWorker({ external: { address: `127.0.0.1:${firstRunner.port}`, http: {} } })]);
	const pinnedProcesses = [
		spawnFrom(withRunnerSocket, { 'direct:0:default': pinnedShared.fd, 'direct:1:default': firstRunner.fd }),
		spawnFrom(forwarding, { 'direct:0:default': pinnedShared.fd })
	];

	for (const server of servers) server.close();
	await new Promise((resolve) => setTimeout(resolve, 1500));
	const anywhereUrl = `http://127.0.0.1:${anywhere.port}/user-workers/hello/`;
	const pinnedUrl = `http://127.0.0.1:${pinnedShared.port}/user-workers/hello/`;
	for (const url of [anywhereUrl, pinnedUrl]) if (!(await fetch(url)).ok) throw new Error(`${url} does not answer`);
	const targets = [
		{ name: 'runner alone', url: runnerAlone.url, headers: runnerAlone.headers, pids: () => [processOnPort(Number(new URL(runnerAlone.url).port)).pid] },
		{ name: 'front in the runner process', url: together.url, pids: () => [processOnPort(Number(new URL(together.url).port)).pid] },
		{ name: 'shared socket, any Worker anywhere', url: anywhereUrl, pids: () => anywhereProcesses.map((child) => child.pid) },
		{ name: 'shared socket, pinned (half forwarded)', url: pinnedUrl, pids: () => pinnedProcesses.map((child) => child.pid) }
	];
	await measureRounds(targets, settings);
} finally {
	await stopAll();
}
