import { describe, expect, it } from 'vitest';
import {
	IMPORT_LIMITS,
	guessMainModule,
	moduleNameProblem,
	moduleNamedIn,
	parseProjectFiles,
	projectFromFiles,
	sortedFileNames
} from '../../src/lib/ui/project-files';

const file = (path: string, text = '') => ({ path, bytes: new TextEncoder().encode(text) });

describe('projectFromFiles (folder and zip upload)', () => {
	it('strips the common top folder, leaves out node_modules, VCS data, dotfiles and tool configuration', () => {
		const project = projectFromFiles([
			file('app/src/index.ts', 'export default {}'),
			file('app/data.json', '{}'),
			file('app/node_modules/x/index.js'),
			file('app/.git/HEAD'),
			file('app/.env'),
			file('app/src/.hidden.js'),
			file('app/package.json', '{}'),
			file('app/tsconfig.json', '{}'),
			file('app/worker-configuration.d.ts'),
			file('app/LICENSE')
		]);
		expect(project).toEqual({
			files: { mainModule: 'src/index.ts', modules: { 'src/index.ts': 'export default {}', 'data.json': '{}' } },
			folder: 'app',
			skipped: ['LICENSE', 'package.json', 'tsconfig.json', 'worker-configuration.d.ts']
		});
	});

	it('keeps paths as they are when the files share no top folder', () => {
		const project = projectFromFiles([file('index.js', 'x'), file('lib/a.js', 'y')]);
		expect(project).toMatchObject({ files: { mainModule: 'index.js', modules: { 'index.js': 'x', 'lib/a.js': 'y' } }, folder: null });
	});

	it('carries .wasm and .bin modules as base64', () => {
		const project = projectFromFiles([file('w/index.js'), { path: 'w/add.wasm', bytes: new Uint8Array([0, 97, 115, 109, 255]) }]);
		expect(typeof project !== 'string' && project.files.modules['add.wasm']).toBe('AGFzbf8=');
	});

	it('refuses a project past the bounds, and one with nothing to run', () => {
		const many = Array.from({ length: IMPORT_LIMITS.files + 1 }, (_, i) => file(`p/m${i}.js`));
		expect(projectFromFiles(many)).toBe(`that is ${IMPORT_LIMITS.files + 1} files; the editor takes at most ${IMPORT_LIMITS.files} (node_modules, .git and dotfiles are already left out)`);
		expect(projectFromFiles([file('p/a.json', '{}'), file('p/b.cjs')])).toMatch(/^no JavaScript or TypeScript file found to run/);
	});
});

describe('guessMainModule', () => {
	const modules = { 'src/index.ts': '', 'src/worker.ts': '', 'other.js': '' };
	it("takes the wrangler config's main, then a usual entry name, then the first ES or TypeScript module", () => {
		expect(guessMainModule(modules, '{ "main": "./src/worker.ts" }')).toBe('src/worker.ts');
		expect(guessMainModule(modules, 'main = "src/worker.ts"\n')).toBe('src/worker.ts');
		expect(guessMainModule(modules, null)).toBe('src/index.ts');
		expect(guessMainModule({ 'lib/x.cjs': '', 'b.mjs': '', 'a.ts': '' }, null)).toBe('a.ts');
	});
});

describe('file names in the tree', () => {
	it('checks a new name as the server does, and against the other files', () => {
		expect(moduleNameProblem('lib/util.ts', ['index.js'])).toBeNull();
		expect(moduleNameProblem('index.js', ['index.js'])).toBe('there is already a file named "index.js"');
		expect(moduleNameProblem('/abs.js', [])).toMatch(/starts with "\/"/);
		expect(moduleNameProblem('../up.js', [])).toMatch(/"\.\." folder/);
		expect(moduleNameProblem('a\\b.js', [])).toMatch(/contains "\\"/);
		expect(moduleNameProblem('notes', [])).toMatch(/needs one of the extensions/);
		expect(moduleNameProblem('a?b.js', [])).toMatch(/contains "\?", "#", "%" or ":"/);
		expect(moduleNameProblem('__wfp/x.js', [])).toMatch(/keeps for its own modules/);
		expect(moduleNameProblem('', [])).toMatch(/needs a name/);
	});

	it('lists folders first, then files, each by name', () => {
		expect(sortedFileNames({ 'index.ts': '', 'src/b.ts': '', 'src/a/z.ts': '', 'data.json': '', 'src/a.ts': '' })).toEqual([
			'src/a/z.ts',
			'src/a.ts',
			'src/b.ts',
			'data.json',
			'index.ts'
		]);
	});

	it('finds the file an upload error names (the longest match)', () => {
		const names = ['index.ts', 'src/index.ts', 'data.json'];
		expect(moduleNamedIn('src/index.ts: line 2: cannot import "../data.json"', names)).toBe('src/index.ts');
		expect(moduleNamedIn('code is empty', names)).toBeNull();
	});
});

describe('parseProjectFiles (the form field)', () => {
	it('takes { mainModule, modules } and names what is wrong with anything else', () => {
		expect(parseProjectFiles('{"mainModule":"a.js","modules":{"a.js":"x"}}')).toEqual({ mainModule: 'a.js', modules: { 'a.js': 'x' } });
		expect(parseProjectFiles('{')).toBe('the files field is not valid JSON');
		expect(parseProjectFiles('{"modules":{}}')).toMatch(/needs a mainModule/);
		expect(parseProjectFiles('{"mainModule":"a.js","modules":[]}')).toMatch(/needs modules/);
		expect(parseProjectFiles('{"mainModule":"a.js","modules":{"a.js":1}}')).toBe('the source of "a.js" must be a string');
	});
});
