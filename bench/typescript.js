// What the TypeScript step costs an upload: the platform's upload checks (src/lib/server/modules/bundle.ts,
// bundled here with esbuild exactly as the app bundles it) on TypeScript modules of three sizes, against
// the same modules already written as JavaScript (parsing and import checks alone), in Node's V8 (the
// engine workerd runs; workerd's clocks do not advance while code runs, so it cannot time this itself).
// `node bench/typescript.js` prints a Markdown table; bench/results-typescript.md keeps the last one.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const folder = mkdtempSync(join(tmpdir(), 'wfp-bench-ts-'));
const out = join(folder, 'bundle.mjs');
await build({
	entryPoints: ['src/lib/server/modules/bundle.ts'],
	bundle: true,
	format: 'esm',
	platform: 'neutral',
	mainFields: ['module', 'main'],
	outfile: out,
	alias: { $lib: './src/lib' },
	logLevel: 'error'
});
const { prepareModules } = await import(pathToFileURL(out).href);
rmSync(folder, { recursive: true, force: true });

/** A TypeScript module of about `bytes`: interfaces, typed functions, a class, an enum (and its JavaScript twin). */
function sources(bytes) {
	const ts = [];
	const js = [];
	for (let i = 0; ts.join('\n').length < bytes; i++) {
		ts.push(`export interface Item${i} { id: number; name: string; tags: readonly string[] }
enum Kind${i} { A = 'a', B = 'b' }
export class Store${i}<T extends Item${i}> {
	private readonly items = new Map<number, T>();
	add(item: T): this { this.items.set(item.id, item); return this; }
	find(id: number): T | undefined { return this.items.get(id) as T | undefined; }
}
export function label${i}(item: Item${i}, kind: Kind${i} = Kind${i}.A): string { return \`\${kind}:\${item.name}\`; }`);
		js.push(`const Kind${i} = { A: 'a', B: 'b' };
export class Store${i} {
	items = new Map();
	add(item) { this.items.set(item.id, item); return this; }
	find(id) { return this.items.get(id); }
}
export function label${i}(item, kind = Kind${i}.A) { return \`\${kind}:\${item.name}\`; }`);
	}
	return { ts: ts.join('\n'), js: js.join('\n') };
}

const main = (extension) => `import { label0 } from './lib${extension}';\nexport default { fetch: () => new Response(label0({ id: 1, name: 'x', tags: [] })) };`;
const limits = { maxBytes: 64 << 20, limitName: 'bench' };

async function median(set, runs) {
	const times = [];
	for (let i = 0; i < runs; i++) {
		const start = performance.now();
		await prepareModules(set, limits);
		times.push(performance.now() - start);
	}
	return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const rows = [];
for (const [label, bytes, runs] of [['2 KiB', 2 << 10, 200], ['100 KiB', 100 << 10, 40], ['1 MiB', 1 << 20, 10]]) {
	const { ts, js } = sources(bytes);
	const tsSet = { mainModule: 'index.ts', modules: { 'index.ts': main('.ts'), 'lib.ts': ts } };
	const jsSet = { mainModule: 'index.js', modules: { 'index.js': main('.js'), 'lib.js': js } };
	for (let i = 0; i < 3; i++) await Promise.all([prepareModules(tsSet, limits), prepareModules(jsSet, limits)]); // warm-up
	const [tsMs, jsMs] = [await median(tsSet, runs), await median(jsSet, runs)];
	rows.push(`| ${label} (${ts.length} B of TypeScript) | ${tsMs.toFixed(2)} ms | ${jsMs.toFixed(2)} ms | ${(tsMs - jsMs).toFixed(2)} ms | ${((tsMs - jsMs) / (ts.length / (1 << 20))).toFixed(0)} ms/MiB |`);
}

console.log(`# TypeScript at upload

\`node bench/typescript.js\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpus().length} cores (${cpus()[0].model.trim()}), Node ${process.version}, load average ${loadavg().map((n) => n.toFixed(1)).join(" / ")} (cores shared with other work), medians.
The upload checks of a two-module Worker whose library module is TypeScript, against the same Worker in JavaScript
(parse, imports, default export: what every upload pays). The difference is what stripping types with sucrase costs.

| library module | TypeScript upload | JavaScript upload | types stripped | per MiB |
| --- | --- | --- | --- | --- |
${rows.join('\n')}`);
