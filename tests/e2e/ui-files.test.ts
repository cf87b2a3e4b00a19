// The web UI's file tree, folder and zip upload in a real browser (Debian's Chromium via playwright-core)
// against the app as `npm start` runs it: a TypeScript project with a local module and a JSON file loaded
// from a folder, deployed and served; edited in the tree (add, rename, delete) and redeployed; a zip; a
// missing import named next to the editor; the main module edited without JavaScript.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { startApp, type RunningApp } from './app';
import { writeProject } from '../support/project-files';
import { checkedScreenshot, launchBrowser, SCREENSHOT_VIEWPORTS } from './browser';

const SCREENSHOTS = 'tests/e2e/screenshots';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

let app: RunningApp;
let client: PlatformClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fixtures: string;

/** The TypeScript project the folder upload loads, with what an upload must leave out beside it. */
const PROJECT: Record<string, string> = {
	'src/index.ts': [
		"import { greet } from './greet.ts';",
		"import data from '../data.json';",
		'',
		'interface Env {}',
		'',
		'export default {',
		'\tfetch(request: Request, env: Env): Response {',
		'\t\treturn new Response(greet(data.who));',
		'\t}',
		'};',
		''
	].join('\n'),
	'src/greet.ts': 'export const greet = (who: string): string => `hello ${who} from TypeScript`;\n',
	'data.json': '{ "who": "folder" }\n',
	'package.json': '{ "name": "ts-project", "private": true }\n',
	'README': 'not a module\n',
	'node_modules/left-out/index.js': 'throw new Error("node_modules must not be uploaded");\n',
	'.git/HEAD': 'ref: refs/heads/main\n',
	'.env': 'SECRET=1\n'
};

beforeAll(async () => {
	mkdirSync(SCREENSHOTS, { recursive: true });
	fixtures = mkdtempSync(join(tmpdir(), 'wfp-ui-files-'));
	writeProject(fixtures, 'ts-project', PROJECT);
	[app, browser] = await Promise.all([startApp(), launchBrowser()]);
	client = createPlatformClient(app.url);
});
afterAll(async () => {
	await browser?.close();
	await app?.stop();
	if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
	context = await browser.newContext({ baseURL: app.url, ...options });
	page = await context.newPage();
	return page;
}
beforeEach(async () => {
	await newPage();
});
afterEach(() => context?.close());

async function open(path: string) {
	const response = await page.goto(path);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	return response;
}

const editorText = () => page.locator('.cm-content').innerText();
const tree = () => page.getByTestId('file-tree');
/** The file names the tree lists, in order. */
const treeFiles = () => tree().locator('li[data-file]').evaluateAll((items) => items.map((item) => item.getAttribute('data-file')));
/** The files the Worker page lists, in order, and the one it marks as main. */
const sourceFiles = () => page.getByTestId('source-files').locator('a[data-file]').evaluateAll((links) => links.map((link) => link.getAttribute('data-file')));
const sourceMain = () => page.getByTestId('source-files').locator('a:has(.badge)').getAttribute('data-file');
const openInTree = (name: string) => tree().locator(`li[data-file="${name}"] button.file`).click();

/** Replaces the editor's content by typing, as a person would. */
async function typeCode(code: string) {
	await page.locator('.cm-content').click();
	await page.keyboard.press('ControlOrMeta+A');
	await page.keyboard.press('Delete');
	await page.keyboard.insertText(code);
}

async function fetchText(path: string): Promise<string> {
	const response = await fetch(app.url + path);
	return `${response.status} ${await response.text()}`;
}

async function deployAndExpect(name: string) {
	await page.getByRole('button', { name: /^(Deploy|Save & redeploy)$/ }).click();
	await poll(() => page.getByTestId('toast').innerText()).toContain(`Deployed ${name}`);
	await poll(() => new URL(page.url()).pathname).toBe(`/workers/${name}`);
}

describe('web UI: files', () => {
	it('uploads a TypeScript folder, serves it, and lists its files on the Worker page', async () => {
		await open('/upload');
		await page.locator('.cm-editor').waitFor();
		await page.getByLabel('Upload folder').setInputFiles(join(fixtures, 'ts-project'));
		await poll(() => page.getByTestId('import-note').innerText()).toContain('Loaded 3 files from ts-project; src/index.ts runs.');
		// Dependencies, VCS data, dotfiles and project configuration stay behind; the top folder is stripped.
		expect(await treeFiles()).toEqual(['src/greet.ts', 'src/index.ts', 'data.json']);
		expect(await page.getByTestId('import-note').innerText()).toContain('Left out (not Worker modules): README, package.json.');
		expect(await page.getByLabel('Worker name').inputValue()).toBe('ts-project');
		expect(await tree().locator('li:has(.badge)').getAttribute('data-file')).toBe('src/index.ts');
		expect(await page.getByTestId('current-file').innerText()).toContain('src/index.ts · main module');
		await poll(editorText).toContain('interface Env {}');
		await openInTree('src/greet.ts');
		await poll(editorText).toContain('hello ${who} from TypeScript');
		await page.screenshot({ path: `${SCREENSHOTS}/upload-files.png`, fullPage: true });

		await page.getByLabel('Worker name').fill('ui-files-ts');
		await deployAndExpect('ui-files-ts');
		expect(await fetchText('/user-workers/ui-files-ts/')).toBe('200 hello folder from TypeScript');

		// The Worker page lists every file, the main module marked, and shows each one as written.
		expect(await sourceFiles()).toEqual(['src/greet.ts', 'src/index.ts', 'data.json']);
		expect(await sourceMain()).toBe('src/index.ts');
		await poll(editorText).toContain('interface Env {}');
		await page.getByTestId('source-files').getByRole('link', { name: 'data.json' }).click();
		await poll(() => page.getByTestId('source-file').innerText()).toBe('data.json');
		await poll(editorText).toContain('"who": "folder"');
	});

	it('adds, renames and deletes files in the tree, names a missing import, and redeploys', async () => {
		await client.workers.upload.mutate({
			name: 'ui-files-edit',
			mainModule: 'src/index.ts',
			modules: { 'src/index.ts': PROJECT['src/index.ts'], 'src/greet.ts': PROJECT['src/greet.ts'], 'data.json': PROJECT['data.json'] }
		});
		await open('/workers/ui-files-edit/edit');
		// The edit page loads all files of the serving version.
		await poll(treeFiles).toEqual(['src/greet.ts', 'src/index.ts', 'data.json']);

		// Add: the name is checked in place.
		await tree().getByRole('button', { name: 'New file' }).click();
		await page.getByLabel('New file name').fill('src/greet.ts');
		await page.getByLabel('New file name').press('Enter');
		await poll(() => page.getByTestId('file-name-problem').innerText()).toBe('there is already a file named "src/greet.ts"');
		await page.getByLabel('New file name').fill('src/extra.ts');
		await page.getByLabel('New file name').press('Enter');
		await poll(() => page.getByTestId('current-file').innerText()).toBe('src/extra.ts');
		await typeCode('export const extra: string = "and an added file";\n');

		// Rename data.json: src/index.ts still imports it by its old name, so the upload is refused naming it.
		await openInTree('data.json');
		await tree().getByRole('button', { name: 'Rename data.json' }).click();
		await page.getByLabel('New name for data.json').fill('settings.json');
		await page.getByLabel('New name for data.json').press('Enter');
		await poll(treeFiles).toEqual(['src/extra.ts', 'src/greet.ts', 'src/index.ts', 'settings.json']);
		await page.getByRole('button', { name: 'Save & redeploy' }).click();
		const error = page.getByTestId('code-error');
		await poll(() => error.innerText()).toContain('../data.json');
		expect(await error.innerText()).toContain('src/index.ts');
		// The editor shows the file the error is about, and the tree marks it.
		await poll(() => page.getByTestId('current-file').innerText()).toContain('src/index.ts');
		expect(await tree().locator('li.problem').getAttribute('data-file')).toBe('src/index.ts');
		expect(await fetchText('/user-workers/ui-files-edit/')).toBe('200 hello folder from TypeScript');
		await page.screenshot({ path: `${SCREENSHOTS}/edit-files-missing-import.png`, fullPage: true });

		// Delete greet.ts and point index.ts at the renamed and the added files.
		await openInTree('src/greet.ts');
		await tree().getByRole('button', { name: 'Delete src/greet.ts' }).click();
		await poll(treeFiles).toEqual(['src/extra.ts', 'src/index.ts', 'settings.json']);
		expect(await page.getByTestId('current-file').innerText()).toContain('src/index.ts');
		await typeCode(
			"import { extra } from './extra.ts';\nimport settings from '../settings.json';\n\nexport default {\n\tfetch(): Response {\n\t\treturn new Response(`${settings.who} ${extra}`);\n\t}\n};\n"
		);
		await deployAndExpect('ui-files-edit');
		expect(await fetchText('/user-workers/ui-files-edit/')).toBe('200 folder and an added file');
		expect(await sourceFiles()).toEqual(['src/extra.ts', 'src/index.ts', 'settings.json']);

		// The Versions panel compares every file of version 1 with the serving version 2.
		await page.getByTestId('version-1').getByRole('link', { name: 'Diff' }).click();
		const diff = page.getByTestId('diff');
		await poll(async () => (await diff.locator('h4').allInnerTexts()).map((text) => text.replace(/\s+/g, ' '))).toEqual([
			'src/extra.ts only in version 2',
			'src/greet.ts only in version 1',
			'src/index.ts changed',
			'data.json only in version 1',
			'settings.json only in version 2'
		]);
		expect(await diff.innerText()).toContain("+ import { greet } from './greet.ts';");
		expect(await diff.innerText()).toContain("- import { extra } from './extra.ts';");
		await diff.screenshot({ path: `${SCREENSHOTS}/detail-files-diff.png` });
	});

	it('uploads a zip: the top folder stripped, .git left out, a JavaScript main module chosen', async () => {
		const zip = zipSync({
			'zipped/index.js': strToU8("import { shout } from './lib/util.js';\nexport default { fetch: () => new Response(shout('zip')) };\n"),
			'zipped/lib/util.js': strToU8('export const shout = (text) => text.toUpperCase() + "!";\n'),
			'zipped/.git/config': strToU8('[core]\n'),
			'zipped/node_modules/x/index.js': strToU8('export default 1;\n')
		});
		await open('/upload');
		await page.getByLabel('Upload zip').setInputFiles({ name: 'zipped.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
		await poll(() => page.getByTestId('import-note').innerText()).toContain('Loaded 2 files from zipped; index.js runs.');
		expect(await treeFiles()).toEqual(['lib/util.js', 'index.js']);
		await page.getByLabel('Worker name').fill('ui-files-zip');
		await deployAndExpect('ui-files-zip');
		expect(await fetchText('/user-workers/ui-files-zip/')).toBe('200 ZIP!');
	});

	it('refuses a folder past the bounds with a clear message and keeps the files', async () => {
		const many: Record<string, string> = {};
		for (let i = 0; i < 101; i++) many[`m${i}.js`] = '';
		writeProject(fixtures, 'too-many', many);
		await open('/upload');
		await page.getByLabel('Upload folder').setInputFiles(join(fixtures, 'too-many'));
		await poll(() => page.getByTestId('import-note').innerText()).toContain('that is 101 files; the editor takes at most 100');
		expect(await treeFiles()).toEqual(['index.js']);
	});

	it('edits the main module without JavaScript and keeps the other files', async () => {
		await client.workers.upload.mutate({
			name: 'ui-files-nojs',
			mainModule: 'index.js',
			modules: { 'index.js': "import t from './t.txt';\nexport default { fetch: () => new Response(t) };\n", 't.txt': 'text module' }
		});
		await context.close();
		await newPage({ javaScriptEnabled: false });
		await page.goto('/workers/ui-files-nojs/edit');
		expect(await page.getByTestId('file-tree').count()).toBe(0);
		await page.locator('textarea[name="code"]').fill("import t from './t.txt';\nexport default { fetch: () => new Response(t + ' edited') };\n");
		await page.getByRole('button', { name: 'Save & redeploy' }).click();
		await page.waitForURL('**/workers/ui-files-nojs?deployed');
		expect(await fetchText('/user-workers/ui-files-nojs/')).toBe('200 text module edited');
		// Each file is a link that works without JavaScript.
		await page.getByTestId('source-files').getByRole('link', { name: 't.txt' }).click();
		await page.waitForURL('**/workers/ui-files-nojs?file=t.txt#source');
		expect(await page.locator('textarea#worker-source').inputValue()).toBe('text module');
	});

	it('fits the tree at 375 px and in dark mode', async () => {
		await client.workers.upload.mutate({
			name: 'ui-files-shot',
			mainModule: 'src/index.ts',
			modules: { 'src/index.ts': PROJECT['src/index.ts'], 'src/greet.ts': PROJECT['src/greet.ts'], 'data.json': PROJECT['data.json'] }
		});
		for (const [label, options] of SCREENSHOT_VIEWPORTS.filter(([label]) => label !== 'desktop')) {
			await context.close();
			await newPage(options);
			for (const [name, path] of [
				['edit-files', '/workers/ui-files-shot/edit'],
				['detail-files', '/workers/ui-files-shot']
			]) {
				await open(path);
				await checkedScreenshot(page, `${SCREENSHOTS}/${name}-${label}.png`, `${path} at ${label}`);
			}
		}
	}, 120_000);
});
