// A Worker project of several modules, one of each kind, for the tests of module uploads: a TypeScript
// main module importing a TypeScript module (as TypeScript projects write imports: "./lib/greet"), a JSON
// file, a text file, a CommonJS module, a WebAssembly module and a data file.

/** A hand-written WebAssembly module exporting add(i32, i32) -> i32, as base64. */
export const ADD_WASM = 'AGFzbQEAAAABBwFgAn9/AX8DAgEABwcBA2FkZAAACgkBBwAgACABags=';

export const PROJECT = {
	mainModule: 'src/index.ts',
	modules: {
		'src/index.ts': `import { greet } from './lib/greet';
import config from '../config.json';
import page from '../static/page.html';
import legacy from './lib/legacy.cjs';
import addModule from '../add.wasm';
import blob from '../blob.bin';
import type { Greeting } from './lib/greet';

const add = new WebAssembly.Instance(addModule).exports.add as (a: number, b: number) => number;

export default {
	async fetch(request: Request): Promise<Response> {
		const greeting: Greeting = greet(config.name);
		return Response.json({ greeting, page, shout: legacy.shout('hi'), sum: add(2, 3), bytes: new Uint8Array(blob).length });
	}
} satisfies ExportedHandler;
`,
		'src/lib/greet.ts': `export type Greeting = string;
enum Punctuation { Bang = '!' }
export function greet(name: string): Greeting {
	return \`hello \${name}\${Punctuation.Bang}\`;
}
`,
		'src/lib/legacy.cjs': `module.exports = { shout: (text) => text.toUpperCase() };\n`,
		'config.json': '{ "name": "modules" }',
		'static/page.html': '<h1>page</h1>\n',
		'add.wasm': ADD_WASM,
		'blob.bin': btoa('\u0000\u0001\u0002')
	}
};

/** What PROJECT answers. */
export const PROJECT_ANSWER = { greeting: 'hello modules!', page: '<h1>page</h1>\n', shout: 'HI', sum: 5, bytes: 3 };
