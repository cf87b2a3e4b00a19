// Runs the `wfp` CLI as a user runs it: bin/wfp.js in a subprocess, for the CLI's end-to-end tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

export const WFP_BIN = join(process.cwd(), 'bin/wfp.js');

export interface WfpResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `wfp args...` with `env` added to this process's environment and stdin a pipe (not a TTY) carrying `input`. */
export function runWfp(args: string[], env: Record<string, string>, input = ''): Promise<WfpResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [WFP_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
		child.stdin.end(input);
	});
}

/** A failure is exactly one line on stderr, nothing on stdout, and a non-zero exit code. */
export function expectFailure(result: WfpResult, code: number, message: string | RegExp) {
	expect(result.stdout).toBe('');
	expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
	expect(result.stderr).toMatch(typeof message === 'string' ? `wfp: ${message}` : message);
	expect(result.code).toBe(code);
}
