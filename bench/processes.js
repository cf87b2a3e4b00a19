// Finds the workerd processes behind a running app (from /proc, Linux) to report their memory.
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
 * The workerd processes of an app started by scripts/start.js on `port`: `app` runs the platform Worker,
 * `devProxy` is wrangler dev's proxy in front of it, `runner` runs user Workers (null without isolation).
 */
export function appProcesses(port) {
	const processes = readProcesses();
	const children = (pid) => processes.filter((p) => p.ppid === pid);
	const descendants = (pid) => children(pid).flatMap((p) => [p, ...descendants(p.pid)]);
	const isWorkerd = (p) => p.args[0].endsWith('/workerd');
	const wrangler = processes.find((p) => p.args.some((a) => a.endsWith('wrangler.js')) && p.args.includes(String(port)));
	if (!wrangler) throw new Error(`no wrangler process serves port ${port}`);
	const appWorkerds = descendants(wrangler.pid).filter(isWorkerd);
	const devProxy = appWorkerds.find((p) => p.args.some((a) => a.endsWith(`entry=127.0.0.1:${port}`))) ?? null;
	return {
		app: appWorkerds.find((p) => p !== devProxy) ?? null,
		devProxy,
		runner: children(wrangler.ppid).find(isWorkerd) ?? null
	};
}

/** The TCP ports process `pid` listens on (IPv4). */
export function listeningPorts(pid) {
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
