// How the app and the runner process (src/runner/worker.ts) talk over loopback. Node loads this file
// too (the benchmark sends requests straight to a runner), hence the explicit extension below.
import { INTERNAL_HEADER_PREFIX } from './backend.ts';

/** Where the runner fetches a version's code and env: RUNNER_CODE_PATH + <scriptId>/<version> (JSON). */
export const RUNNER_CODE_PATH = '/__platform/runner/scripts/';
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
