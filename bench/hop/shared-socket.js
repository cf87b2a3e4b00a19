// `node bench/hop/shared-socket.js` (after `npm run build`): the shared-socket design of bench/results-hop.md,
// as far as a prototype goes: two workerd processes, each running the minimal dispatcher (front-router.js)
// and the runner Worker, accept on one listening socket the supervisor (here this script) opened, so the
// kernel hands each new connection to a process that is accepting. Every request runs where it lands ("any
// Worker anywhere"): no pinning, so no forwarding between them, which bounds what the design can reach from
// above. Miniflare cannot pass a descriptor to workerd, so the script captures the config Miniflare
// generates (a wrapper named in MINIFLARE_WORKERD_PATH tees it) and starts the two processes from it with
// `workerd serve --socket-fd`. Measured against the runner alone and the one-process prototype.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import { chmodSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureRounds } from './rounds.js';
import { startBare } from '../targets.js';
import { processOnPort } from '../processes.js';
import { bundleWorker } from '../../scripts/runner.js';
import { RUNNER_HEADERS } from '../../src/lib/server/runner-protocol.ts';

const COMPAT = '2026-08-01';
const settings = { rounds: Number(process.env.BENCH_ROUNDS || 3), seconds: Number(process.env.BENCH_SECONDS || 5), connections: 10 };
const running = [];
try {
	const bare = await startBare({ isolated: true });
	running.push(bare);
	const runnerAlone = bare.runnerAlone;
	const secret = runnerAlone.headers[RUNNER_HEADERS.secret];
	const codeUrl = new URL(runnerAlone.headers[RUNNER_HEADERS.url]).origin;
	const front = await bundleWorker(fileURLToPath(new URL('./front-router.js', import.meta.url)));
	const runnerScript = await bundleWorker(fileURLToPath(new URL('../../src/runner/worker.ts', import.meta.url)));
	// The workerd binary Miniflare runs, and a wrapper that keeps its arguments and the config it reads.
	const workerd = createRequire(createRequire(import.meta.url).resolve('miniflare'))('workerd').default;
	const capture = mkdtempSync(join(tmpdir(), 'wfp-shared-socket-'));
	running.push({ stop: async () => rmSync(capture, { recursive: true, force: true }) });
	const wrapper = join(capture, 'workerd.sh');
	writeFileSync(wrapper, `#!/bin/sh\necho "$@" > ${capture}/args.txt\ntee ${capture}/config.bin | ${workerd} "$@"\n`);
	chmodSync(wrapper, 0o755);
	process.env.MINIFLARE_WORKERD_PATH = wrapper;
	const together = new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port: 0, cf: false, workers: [
		{ name: 'front', modules: true, script: front, compatibilityDate: COMPAT, bindings: { RUNNER_SECRET: secret }, serviceBindings: { RUNNER: 'runner' }, unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] },
		{ name: 'runner', modules: true, script: runnerScript, compatibilityDate: COMPAT, workerLoaders: { LOADER: {} },
		  bindings: { CODE_URL: codeUrl, RUNNER_SECRET: secret, EGRESS_PROXY_URL: 'http://127.0.0.1:9', MAX_LOADED_ISOLATES: '200', RECORD_LOGS: 'on', DISPATCH_TIMEOUT_MS: '10000' },
		  serviceBindings: { USER_OUTBOUND: { name: 'runner', entrypoint: 'UserOutbound' } } }
	] }));
	running.push({ stop: () => together.dispose() });
	const togetherUrl = (await together.unsafeGetDirectURL('front')).origin + '/user-workers/hello/';
	delete process.env.MINIFLARE_WORKERD_PATH;
	const args = readFileSync(join(capture, 'args.txt'), 'utf8').trim().split(' ');
	// A shared listening socket.
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const sharedPort = server.address().port;
	const fd = server._handle.fd;
	const procs = [];
	for (let i = 0; i < 2; i++) {
		// Miniflare's own arguments, less its control pipe; the front Worker's socket (`direct:<worker>:<entrypoint>`) is the shared one.
		const childArgs = args.filter((arg) => !arg.startsWith('--control-fd') && !arg.startsWith('--socket-addr=entry'));
		childArgs.splice(childArgs.length - 1, 0, '--socket-addr=entry=127.0.0.1:0', '--socket-fd=direct:0:default=3');
		const child = spawn(workerd, childArgs, { stdio: ['pipe', 'inherit', 'inherit', fd] });
		createReadStream(join(capture, 'config.bin')).pipe(child.stdin);
		procs.push(child);
	}
	running.push({ stop: async () => procs.forEach((p) => p.kill()) });
	server.close(); // our copy: the children keep theirs
	await new Promise((r) => setTimeout(r, 1500));
	const sharedUrl = `http://127.0.0.1:${sharedPort}/user-workers/hello/`;
	if (!(await fetch(sharedUrl)).ok) throw new Error(`the shared socket at ${sharedUrl} does not answer`);
	const targets = [
		{ name: 'runner alone', url: runnerAlone.url, headers: runnerAlone.headers, pids: () => [processOnPort(Number(new URL(runnerAlone.url).port)).pid] },
		{ name: 'front in the runner process', url: togetherUrl, pids: () => [processOnPort(Number(new URL(togetherUrl).port)).pid] },
		{ name: 'two such processes on one shared socket', url: sharedUrl, pids: () => procs.map((p) => p.pid) }
	];
	await measureRounds(targets, settings);
} finally {
	await Promise.allSettled(running.map((target) => target.stop()));
}
