// `npm start` runs this first: on a Node.js older than package.json's "engines" asks for, it stops before
// the build with one line naming the version needed (the build itself would run, and wrangler fail after).
// Written for old Node versions too: no syntax or API newer than Node 14.
import { readFileSync } from 'node:fs';

const required = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const minimum = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(required);
if (!minimum) throw new Error(`package.json engines.node must read ">=<version>", got ${JSON.stringify(required)}`);

/** @param {string} version e.g. "22.18.0" */
const parts = (version) => version.split('.').map(Number).concat([0, 0, 0]).slice(0, 3);
const have = parts(process.versions.node);
const firstDifference = parts(minimum[1]).map((part, i) => have[i] - part).find((difference) => difference !== 0);
const older = firstDifference !== undefined && firstDifference < 0;
if (older) {
	console.error(`workers-platform needs Node.js ${minimum[1]} or newer; this is Node.js ${process.versions.node} (https://nodejs.org/).`);
	process.exit(1);
}
