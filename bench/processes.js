// Finds the workerd processes behind a running app or target (from /proc, Linux) to report their memory
// and the CPU time they spend.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function readProcesses() {
	/** @type {{ pid: number, ppid: number, args: string[], rssBytes: number }[]} */
	const processes = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const status = readFileSync(`/proc/${entry}/status`, 'utf8');
			const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
			const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			processes.push({ pid: Number(entry), ppid: Number(fields[1]), args, rssBytes: rssKiB * 1024 });
		} catch {
			// exited while we looked
		}
	}
	return processes;
}

/**
 * The workerd processes of an app started by scripts/start.js on `port`: `app` runs the platform Worker
 * (it listens on `port`), `runners` run user Workers (none without isolation); all are children of start.js.
 */
export function appProcesses(port) {
	const workerds = readProcesses().filter((p) => p.args[0].endsWith('/workerd'));
	const app = workerds.find((p) => listeningPorts(p.pid).includes(port));
	if (!app) throw new Error(`no workerd process listens on port ${port}`);
	return { app, runners: workerds.filter((p) => p.ppid === app.ppid && p !== app) };
}

/** The process that listens on TCP `port` (IPv4). */
export function processOnPort(port) {
	const found = readProcesses().find((p) => p.args[0].endsWith('/workerd') && listeningPorts(p.pid).includes(port));
	if (!found) throw new Error(`no workerd process listens on port ${port}`);
	return found;
}

/** CPU time (user + system) process `pid` has used so far, in microseconds. */
export function cpuMicroseconds(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const CLOCK_TICKS_PER_SECOND = 100;
	return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** The TCP ports process `pid` listens on (IPv4). */
function listeningPorts(pid) {
	const inodes = new Set();
	for (const fd of readdirSync(`/proc/${pid}/fd`)) {
		try {
			const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
			if (match) inodes.add(match[1]);
		} catch {
			// closed while we looked
		}
	}
	const LISTEN = '0A';
	return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
		.split('\n')
		.slice(1)
		.map((line) => line.trim().split(/\s+/))
		.filter((fields) => fields[3] === LISTEN && inodes.has(fields[9]))
		.map((fields) => parseInt(fields[1].split(':')[1], 16));
}
