// The web UI in a real browser (Debian's Chromium via playwright-core) against the app as `npm start` runs it.
// One app for the file; each test gets a fresh browser context and its own Worker names.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { startApp, type RunningApp } from './app';
import { checkedScreenshot, launchBrowser, SCREENSHOT_VIEWPORTS } from './browser';

const SCREENSHOTS = 'tests/e2e/screenshots';

/** Waits for the page to catch up (server round trips are slow while other suites share the machine). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

let app: RunningApp;
let client: PlatformClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
	mkdirSync(SCREENSHOTS, { recursive: true });
	[app, browser] = await Promise.all([startApp(), launchBrowser()]);
	client = createPlatformClient(app.url);
});
afterAll(async () => {
	await browser?.close();
	await app?.stop();
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

const worker = (text: string) => `export default {\n\tfetch() {\n\t\treturn new Response(${JSON.stringify(text)});\n\t}\n};\n`;

/** Replaces the editor's content by typing, as a person would. */
async function typeCode(code: string) {
	const editor = page.locator('.cm-content');
	await editor.click();
	await page.keyboard.press('ControlOrMeta+A');
	await page.keyboard.press('Delete');
	await page.keyboard.insertText(code);
}

const editorText = () => page.locator('.cm-content').innerText();

/** Loads a page and waits until its script runs (the layout marks the hydrated page). */
async function open(path: string) {
	const response = await page.goto(path);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	return response;
}

async function openUploadPage() {
	await open('/upload');
	await page.locator('.cm-editor').waitFor();
}

/** The toast confirms the action, then the page is the Worker's (or the list) with the marker removed. */
async function expectToast(text: string, pathname: string) {
	await poll(() => page.getByTestId('toast').innerText()).toContain(text);
	await poll(() => new URL(page.url()).pathname + new URL(page.url()).search).toBe(pathname);
}

async function uploadThroughForm(name: string, code: string) {
	await openUploadPage();
	await page.getByLabel('Worker name').fill(name);
	await typeCode(code);
	await page.getByRole('button', { name: 'Deploy', exact: true }).click();
}

async function fetchText(path: string): Promise<string> {
	const response = await fetch(app.url + path);
	return response.text();
}

describe('web UI', () => {
	// First, while the registry is still empty.
	it('shows an empty state that points to the upload page', async () => {
		await open('/');
		const empty = page.getByTestId('empty-state');
		await empty.getByText('No Workers yet').waitFor();
		await page.screenshot({ path: `${SCREENSHOTS}/list-empty.png`, fullPage: true });
		await empty.getByRole('link', { name: 'Upload your first Worker' }).click();
		await page.waitForURL('**/upload');
		expect(await page.title()).toBe('Upload a Worker · Workers Platform');
		await poll(() => page.getByTestId('open-mode-banner').innerText()).toContain('Open mode');
	});

	it('uploads through the form, lists the Worker, opens its URL, then edits and redeploys it', async () => {
		await uploadThroughForm('ui-hello', worker('hello from the editor'));
		await expectToast('Deployed ui-hello', '/workers/ui-hello');
		expect(await page.locator('h1').innerText()).toBe('ui-hello');

		// Open (a new tab) shows the Worker's output, on its own origin (npm start serves <name>.localhost:<port>).
		const ownOrigin = `http://ui-hello.localhost:${new URL(app.url).port}/`;
		const [opened] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: /^Open/ }).click()]);
		await opened.waitForLoadState();
		expect(opened.url()).toBe(ownOrigin);
		expect(await opened.locator('body').innerText()).toBe('hello from the editor');
		expect(await page.getByTestId('worker-url').getAttribute('href')).toBe(`${app.url}/user-workers/ui-hello/`);

		// In the list, linked to its detail page, with its URL, size and a relative time.
		await open('/');
		const row = page.getByTestId('worker-row').filter({ hasText: 'ui-hello' });
		expect(await row.getByRole('link', { name: new URL(ownOrigin).host }).getAttribute('href')).toBe(ownOrigin);
		expect(await row.innerText()).toMatch(/\d+ B/);
		expect(await row.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
		await row.getByRole('link', { name: 'ui-hello', exact: true }).click();
		await page.waitForURL('**/workers/ui-hello');

		// Edit & redeploy: the editor is pre-filled; saving replaces the code under the same name.
		await page.getByRole('link', { name: 'Edit & redeploy' }).click();
		await page.waitForURL('**/workers/ui-hello/edit');
		await poll(editorText).toContain('hello from the editor');
		expect(await page.getByLabel('Worker name').getAttribute('readonly')).not.toBeNull();
		await typeCode(worker('second version'));
		await page.getByRole('button', { name: 'Save & redeploy' }).click();
		await expectToast('Deployed ui-hello', '/workers/ui-hello');
		await poll(editorText).toContain('second version');
		expect(await fetchText('/user-workers/ui-hello/')).toBe('second version');
	});

	it('shows a syntax error next to the editor and keeps the code', async () => {
		const broken = 'export default {\n\tfetch() {\n\t\treturn new Response("oops"\n\t}\n};';
		await uploadThroughForm('ui-broken', broken);
		const error = page.getByTestId('code-error');
		await error.waitFor();
		expect(await error.innerText()).toMatch(/line \d+.*column \d+|\(\d+:\d+\)/i);
		expect(page.url()).toBe(`${app.url}/upload`);
		expect(await editorText()).toContain('return new Response("oops"');
		// The line the error names is marked in the editor.
		const line = Number((await error.innerText()).match(/line (\d+)/)![1]);
		expect(await page.locator('.cm-error-line').innerText()).toBe(broken.split('\n')[line - 1]);
		expect(await page.getByLabel('Worker name').inputValue()).toBe('ui-broken');
		// The error sits with the code field, not the name field.
		expect(await page.getByTestId('name-error').count()).toBe(0);
		await page.screenshot({ path: `${SCREENSHOTS}/upload-syntax-error.png`, fullPage: true });
		expect((await fetch(`${app.url}/user-workers/ui-broken/`)).status).toBe(404);
	});

	it('rejects an invalid name as you type and shows the URL a valid one gets', async () => {
		await openUploadPage();
		const name = page.getByLabel('Worker name');
		await name.pressSequentially('My');
		await poll(() => page.getByTestId('name-error').innerText()).toBe('name must be lowercase');
		expect(await name.getAttribute('aria-invalid')).toBe('true');
		await name.fill('');
		await name.pressSequentially('api');
		await poll(() => page.getByTestId('name-error').innerText()).toContain('"api" is reserved');
		await name.pressSequentially('-docs');
		await poll(() => page.getByTestId('name-url').innerText()).toBe(`${app.url}/user-workers/api-docs/`);
		expect(await name.getAttribute('aria-invalid')).toBe('false');

		// Submitting an invalid name sends nothing and keeps focus on the name.
		await name.fill('bad name');
		let uploads = 0;
		page.on('request', (request) => void (request.url().includes('workers.upload') && uploads++));
		await page.getByRole('button', { name: 'Deploy', exact: true }).click();
		await poll(() => page.getByTestId('name-error').innerText()).toContain('found " "');
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('worker-name');
		expect(uploads).toBe(0);
	});

	it('deletes a Worker after a confirmation that names it', async () => {
		await client.workers.upload.mutate({ name: 'ui-doomed', code: worker('doomed') });
		await open('/workers/ui-doomed');
		await page.getByRole('link', { name: 'Delete' }).click();
		const dialog = page.getByRole('alertdialog');
		expect(await dialog.innerText()).toContain('Delete ui-doomed?');

		// Cancel leaves it alone.
		await dialog.getByRole('link', { name: 'Cancel' }).click();
		await dialog.waitFor({ state: 'detached' });
		expect(await fetchText('/user-workers/ui-doomed/')).toBe('doomed');

		await page.getByRole('link', { name: 'Delete' }).click();
		await page.getByRole('button', { name: 'Delete ui-doomed' }).click();
		await expectToast('Deleted ui-doomed', '/');
		expect(await page.getByTestId('worker-row').filter({ hasText: 'ui-doomed' }).count()).toBe(0);
		expect((await fetch(`${app.url}/user-workers/ui-doomed/`)).status).toBe(404);
	});

	it('uploads, reports errors and deletes without JavaScript', async () => {
		await context.close();
		await newPage({ javaScriptEnabled: false });
		await page.goto('/upload');
		expect(await page.locator('.cm-content').count()).toBe(0);
		await page.getByLabel('Worker name').fill('ui-nojs');
		await page.locator('textarea[name="code"]').fill('export default { fetch() { return new Response("no js" }');
		await page.getByRole('button', { name: 'Deploy', exact: true }).click();
		await page.getByTestId('code-error').waitFor();
		// The error page is the form again, code included.
		expect(await page.locator('textarea[name="code"]').inputValue()).toContain('new Response("no js"');

		await page.locator('textarea[name="code"]').fill(worker('served without JavaScript'));
		await page.getByRole('button', { name: 'Deploy', exact: true }).click();
		await page.waitForURL('**/workers/ui-nojs?deployed');
		expect(await page.getByTestId('toast').innerText()).toContain('Deployed ui-nojs');
		expect(await fetchText('/user-workers/ui-nojs/')).toBe('served without JavaScript');

		await page.getByRole('link', { name: 'Delete' }).click();
		await page.getByRole('button', { name: 'Delete ui-nojs' }).click();
		await page.waitForURL('**/?deleted=ui-nojs');
		expect((await fetch(`${app.url}/user-workers/ui-nojs/`)).status).toBe(404);
	});

	it('starts from a template or a file and calls the Worker from the Try it panel', async () => {
		await openUploadPage();
		await page.getByRole('button', { name: 'JSON API' }).click();
		await poll(editorText).toContain('Response.json');
		await page.getByLabel('Load from file').setInputFiles({
			name: 'From-File.mjs',
			mimeType: 'text/javascript',
			buffer: Buffer.from('export default { fetch: (r) => Response.json({ from: "file", method: r.method }) };\n')
		});
		await poll(editorText).toContain('from: "file"');
		// The name is suggested from the file name.
		expect(await page.getByLabel('Worker name').inputValue()).toBe('from-file');
		await page.getByLabel('Worker name').fill('ui-tryit');
		await page.getByRole('button', { name: 'Deploy', exact: true }).click();
		await expectToast('Deployed ui-tryit', '/workers/ui-tryit');

		await page.getByLabel('Method').selectOption('POST');
		await page.getByLabel('Path').fill('/anything?x=1');
		await page.getByLabel(/^Headers/).fill('x-demo: 1');
		await page.getByLabel('Body').fill('payload');
		await page.getByRole('button', { name: 'Send request' }).click();
		await poll(() => page.getByTestId('try-status').innerText()).toBe('200 OK');
		// JSON is pretty-printed.
		expect(await page.getByTestId('try-body').innerText()).toBe('{\n  "from": "file",\n  "method": "POST"\n}');
		expect(await page.getByTestId('try-response').innerText()).toMatch(/in \d+ ms/);
	});

	it('keeps Tab in the editor, undoes with Ctrl-Z, and Escape then Tab leaves it', async () => {
		await openUploadPage();
		await typeCode('x');
		await page.keyboard.press('Tab');
		await poll(editorText).toBe('x\t');
		await page.keyboard.press('Control+z');
		// Typing and the tab may fall into one undo step or two.
		await poll(editorText).toMatch(/^x?$/);
		await page.keyboard.press('Escape');
		await page.keyboard.press('Tab');
		await poll(() => page.evaluate(() => document.activeElement?.closest('.cm-editor') === null)).toBe(true);
	});

	it('filters by name as you type and loads more pages with the API cursor', async () => {
		for (const n of [1, 2, 3]) await client.workers.upload.mutate({ name: `ui-page-${n}`, code: worker(`page ${n}`) });
		await open('/?limit=2');
		const rows = page.getByTestId('worker-row');
		expect(await rows.count()).toBe(2);
		let total = 2;
		while (await page.getByRole('link', { name: 'Load more' }).count()) {
			await page.getByRole('link', { name: 'Load more' }).click();
			await poll(() => rows.count()).toBeGreaterThan(total);
			total = await rows.count();
		}
		const names = await rows.locator('.name').allInnerTexts();
		expect(names).toEqual(expect.arrayContaining(['ui-page-1', 'ui-page-2', 'ui-page-3']));
		expect(names).toEqual([...names].sort());

		await page.getByLabel('Filter by name').pressSequentially('ui-page');
		await poll(() => rows.locator('.name').allInnerTexts()).toEqual(['ui-page-1', 'ui-page-2', 'ui-page-3']);
		await page.getByLabel('Filter by name').pressSequentially('-2');
		await poll(() => rows.locator('.name').allInnerTexts()).toEqual(['ui-page-2']);
		await page.getByLabel('Filter by name').fill('nothing-like-this');
		await page.getByTestId('no-match').waitFor();
	});

	it('answers an unknown Worker with a 404 page', async () => {
		const response = await open('/workers/ui-never-uploaded');
		expect(response?.status()).toBe(404);
		expect(await page.locator('h1').innerText()).toBe('Not found');
		expect(await page.getByTestId('error-message').innerText()).toContain('ui-never-uploaded');
		expect(await page.title()).toBe('Not found · Workers Platform');
	});

	it('says so when the platform cannot be reached, and keeps the code', async () => {
		await openUploadPage();
		await page.getByLabel('Worker name').fill('ui-offline');
		await typeCode(worker('offline'));
		await page.route('**/upload', (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()));
		await page.getByRole('button', { name: 'Deploy', exact: true }).click();
		await poll(() => page.getByTestId('form-error').innerText()).toContain('Cannot reach the platform');
		expect(await editorText()).toContain('offline');
		expect(await page.getByRole('button', { name: 'Deploy', exact: true }).isEnabled()).toBe(true);
	});

	it('saves screenshots of the list, upload and detail pages (desktop, 375 px, dark)', async () => {
		await client.workers.upload.mutate({ name: 'ui-shot', code: worker('screenshot') });
		for (const [label, options] of SCREENSHOT_VIEWPORTS) {
			await context.close();
			await newPage(options);
			for (const [name, path] of [
				['list', '/'],
				['upload', '/upload'],
				['detail', '/workers/ui-shot']
			]) {
				await open(path);
				await checkedScreenshot(page, `${SCREENSHOTS}/${name}-${label}.png`, `${path} at ${label}`);
			}
		}
	}, 180_000);
});

describe('web UI: versions and settings', () => {
	it('lists versions, diffs one against the serving one, links its preview, and rolls back after a confirmation', async () => {
		await client.workers.upload.mutate({ name: 'ui-versions', code: worker('first'), message: 'first try' });
		await client.workers.upload.mutate({ name: 'ui-versions', code: worker('second'), message: 'second try' });
		await open('/workers/ui-versions');
		const row = (version: number) => page.getByTestId(`version-${version}`);
		expect(await row(2).innerText()).toMatch(/2\s+serving[\s\S]*operator[\s\S]*second try/);
		expect(await row(1).innerText()).toContain('first try');

		await row(1).getByRole('link', { name: 'Diff' }).click();
		await poll(() => page.getByTestId('diff').innerText()).toContain('+ \t\treturn new Response("first");');
		expect(await page.getByTestId('diff').innerText()).toContain('- \t\treturn new Response("second");');
		const preview = await row(1).getByRole('link', { name: 'Preview' }).getAttribute('href');
		expect(preview).toBe(`${app.url}/user-workers/ui-versions@1/`);
		expect(await fetchText('/user-workers/ui-versions@1/')).toBe('first');

		await row(1).getByRole('link', { name: 'Roll back' }).click();
		expect(await page.getByRole('alertdialog').innerText()).toContain('Roll back ui-versions to version 1?');
		expect(await fetchText('/user-workers/ui-versions/')).toBe('second');
		await page.getByRole('button', { name: 'Roll back to version 1' }).click();
		await poll(() => page.getByRole('status').filter({ hasText: 'serving again' }).innerText()).toBe('Version 1 is serving again.');
		await poll(() => row(1).innerText()).toContain('serving');
		expect(await fetchText('/user-workers/ui-versions/')).toBe('first');
		await page.screenshot({ path: `${SCREENSHOTS}/detail-versions.png`, fullPage: true });

		// A version uploaded without deploying is offered as a deploy, not a rollback.
		await client.workers.upload.mutate({ name: 'ui-versions', code: worker('third'), deploy: false });
		await open('/workers/ui-versions');
		expect(await page.getByTestId('serving-version').innerText()).toContain('1');
		await row(3).getByRole('link', { name: 'Deploy' }).click();
		expect(await page.getByRole('alertdialog').innerText()).toContain('Deploy ui-versions version 3?');
		await page.getByRole('button', { name: 'Deploy version 3' }).click();
		await poll(() => page.getByRole('status').filter({ hasText: 'serving' }).innerText()).toBe('Version 3 is serving.');
		expect(await fetchText('/user-workers/ui-versions/')).toBe('third');
	});

	it('edits variables and sets, replaces and deletes secrets without ever showing a value', async () => {
		const secret = 'ui-secret-value-never-shown-7731';
		const seen: string[] = [];
		page.on('response', async (response) => {
			const body = await response.text().catch(() => '');
			if (body.includes(secret)) seen.push(response.url());
		});
		await client.workers.upload.mutate({ name: 'ui-settings', code: 'export default { fetch: (request, env) => Response.json(env) }' });
		await open('/workers/ui-settings');
		const settings = page.locator('#settings');
		await settings.getByLabel('New variable name').fill('MODE');
		await settings.getByLabel('New variable value').fill('prod');
		await settings.getByRole('button', { name: 'Save variables' }).click();
		await poll(() => settings.getByRole('status').innerText()).toContain('Variables saved');
		expect(await settings.getByLabel('Value of MODE').inputValue()).toBe('prod');

		await settings.getByLabel('Secret name').fill('API_KEY');
		await settings.getByLabel('Secret value').fill(secret);
		await settings.getByRole('button', { name: 'Set secret' }).click();
		await poll(() => settings.getByRole('status').innerText()).toBe('Secret API_KEY set.');
		expect(await page.getByTestId('secret-API_KEY').innerText()).toContain('(value hidden)');
		expect(await settings.getByLabel('Secret value').inputValue()).toBe('');
		expect(JSON.parse(await fetchText('/user-workers/ui-settings/'))).toEqual({ MODE: 'prod', API_KEY: secret });

		await page.getByTestId('secret-API_KEY').getByRole('button', { name: 'Replace' }).click();
		await settings.getByLabel('Secret value').fill('replaced');
		// The status reads as it did after the first set: wait for this form action's own answer.
		await Promise.all([
			page.waitForResponse((response) => response.request().method() === 'POST' && response.url().includes('?/secret')),
			settings.getByRole('button', { name: 'Replace API_KEY' }).click()
		]);
		await poll(() => settings.getByRole('status').innerText()).toBe('Secret API_KEY set.');
		expect(JSON.parse(await fetchText('/user-workers/ui-settings/')).API_KEY).toBe('replaced');

		await settings.getByLabel('New variable name').fill('bad-name');
		await settings.getByLabel('New variable value').fill('x');
		await settings.getByRole('button', { name: 'Save variables' }).click();
		await poll(() => settings.getByRole('alert').innerText()).toContain('variable name "bad-name" must be letters');

		await page.getByTestId('secret-API_KEY').getByRole('button', { name: 'Delete' }).click();
		await poll(() => settings.getByRole('status').innerText()).toBe('Secret API_KEY deleted.');
		expect(JSON.parse(await fetchText('/user-workers/ui-settings/'))).toEqual({ MODE: 'prod' });
		await open('/workers/ui-settings');
		expect(await page.content()).not.toContain(secret);
		expect(seen).toEqual([]);
	});
});
