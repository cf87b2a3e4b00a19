// How the app and the runner processes (src/runner/worker.ts) talk over loopback. Node loads this file
// too (scripts/runner.js, and the benchmark sends requests straight to a runner), hence the explicit
// extension below.
import { INTERNAL_HEADER_PREFIX } from './backend.ts';

/** Where the runner fetches a version's code and env: RUNNER_CODE_PATH + <scriptId>/<version> (JSON). */
export const RUNNER_CODE_PATH = '/__platform/runner/scripts/';
/**
 * Where a user Worker's ASSETS binding reads its version's static assets (GET/HEAD, answered as the
 * dispatcher answers them): RUNNER_ASSETS_PATH + <scriptId>/<version>?path=<asset path>.
 */
export const RUNNER_ASSETS_PATH = '/__platform/runner/assets/';
/** Where the runner sends user Workers' log entries: POST, JSON object script id -> entries. */
export const RUNNER_LOGS_PATH = '/__platform/runner/logs';
export const RUNNER_RUN_PATH = '/__runner/run';
export const RUNNER_HEALTH_PATH = '/__runner/health';
export const RUNNER_HEADERS = {
	secret: `${INTERNAL_HEADER_PREFIX}runner-secret`,
	script: `${INTERNAL_HEADER_PREFIX}script`,
	limits: `${INTERNAL_HEADER_PREFIX}limits`,
	url: `${INTERNAL_HEADER_PREFIX}url`,
	/** The caller's Accept-Encoding, for the user Worker to see; the hop itself is never compressed. */
	acceptEncoding: `${INTERNAL_HEADER_PREFIX}accept-encoding`,
	/** Set on a runner response when the user Worker failed rather than answered: the URI-encoded message. */
	error: `${INTERNAL_HEADER_PREFIX}worker-error`
} as const;

/**
 * Which of `runners` runner processes runs the script `scriptId`: a stable hash of the id (32-bit FNV-1a),
 * so a Worker always runs on the same runner, across requests, re-uploads and runner restarts, and a
 * Worker that hangs its runner stalls only the Workers that share it.
 */
export function runnerIndex(scriptId: string, runners: number): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < scriptId.length; i++) hash = Math.imul(hash ^ scriptId.charCodeAt(i), 0x01000193);
	return (hash >>> 0) % runners;
}
