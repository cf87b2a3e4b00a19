#!/usr/bin/env node
// `npx wfp`: the platform's command-line client. The CLI is TypeScript (src/cli/) run directly by Node's
// built-in type stripping, so it shares the typed tRPC client with no build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
	console.error(`wfp needs Node.js 22.18 or later (this is ${process.version})`);
	process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
