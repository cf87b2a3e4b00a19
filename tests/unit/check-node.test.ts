// `npm start` on a Node.js older than package.json's engines stops before the build with one line.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageJson = JSON.parse(readFileSync('package.json', 'utf8'));

/** Runs scripts/check-node.js in a Node that reports `version` as its own. */
async function checkAs(version: string) {
	const fakeVersion = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '${version}' })`;
	return promisify(execFile)(process.execPath, ['--import', fakeVersion, 'scripts/check-node.js']).then(
		({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
		(error: { code: number; stdout: string; stderr: string }) => error
	);
}

describe('the Node.js version check of npm start', () => {
	it('runs before the build', () => {
		expect(packageJson.scripts.start).toMatch(/^node scripts\/check-node\.js && npm run build && /);
	});

	it.each(['22.17.0', '22.9.1', '20.19.5', '18.20.0'])('stops on Node %s with one line naming the version needed', async (version) => {
		const { code, stdout, stderr } = await checkAs(version);
		expect(code).toBe(1);
		expect(stdout).toBe('');
		expect(stderr).toBe(`workers-platform needs Node.js 22.18 or newer; this is Node.js ${version} (https://nodejs.org/).\n`);
	});

	it.each(['22.18.0', '22.20.1', '23.0.0', '24.11.0'])('lets Node %s go on, silently', async (version) => {
		expect(await checkAs(version)).toEqual({ code: 0, stdout: '', stderr: '' });
	});

	it('names the version package.json asks for', () => {
		expect(packageJson.engines.node).toBe('>=22.18');
	});
});
