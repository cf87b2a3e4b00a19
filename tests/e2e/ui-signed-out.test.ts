// The web UI for a visitor who is not signed in, on a platform with PLATFORM_ADMIN_TOKEN set: no open-mode
// banner, every page of the platform leads to the sign-in page (and back after signing in), while the
// Workers themselves stay public at their URLs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createPlatformClient } from '$lib/trpc';
import { startApp, type RunningApp } from './app';
import { launchBrowser } from './browser';

const TOKEN = 'ui-test-admin-token';
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
	[app, browser] = await Promise.all([startApp({ PLATFORM_ADMIN_TOKEN: TOKEN }), launchBrowser()]);
	await createPlatformClient(app.url, { token: TOKEN }).workers.upload.mutate({
		name: 'ui-public',
		code: 'export default { fetch: () => new Response("public") }'
	});
});
afterAll(async () => {
	await browser?.close();
	await app?.stop();
});

describe('web UI, signed out', () => {
	it('sends every platform page to sign-in, and back to it afterwards; Workers stay public', async () => {
		const context = await browser.newContext({ baseURL: app.url });
		try {
			const page = await context.newPage();
			for (const path of ['/', '/upload', '/workers/ui-public', '/workers/ui-public/edit', '/customers', '/tokens']) {
				await page.goto(path);
				expect(new URL(page.url()).pathname, path).toBe('/login');
				expect(new URL(page.url()).searchParams.get('redirectTo'), path).toBe(path);
			}
			expect(await page.getByTestId('open-mode-banner').count()).toBe(0);
			expect(await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/login');
			expect(await page.getByRole('navigation').getByRole('link', { name: 'Workers', exact: true }).count()).toBe(0);

			await page.goto('/user-workers/ui-public/');
			expect(await page.textContent('body')).toBe('public');

			await page.goto('/workers/ui-public');
			await page.getByLabel('Token').fill(TOKEN);
			await Promise.all([page.waitForURL('**/workers/ui-public'), page.getByRole('button', { name: 'Sign in' }).click()]);
			expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('ui-public');
			expect(await page.getByTestId('signed-in-as').innerText()).toBe('Operator');
		} finally {
			await context.close();
		}
	});
});
