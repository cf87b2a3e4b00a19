// The web UI for a visitor who is not signed in, on a platform with PLATFORM_ADMIN_TOKEN set: no open-mode
// banner, a "Sign in" link, and prompts to sign in where the upload, edit and delete controls would be.
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
	it('shows the Workers but offers sign-in instead of upload, edit and delete', async () => {
		const context = await browser.newContext({ baseURL: app.url });
		try {
			const page = await context.newPage();
			await page.goto('/');
			expect(await page.getByTestId('open-mode-banner').count()).toBe(0);
			expect(await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/login');
			expect(await page.getByRole('link', { name: 'Upload a Worker' }).count()).toBe(0);
			expect(await page.getByTestId('worker-row').filter({ hasText: 'ui-public' }).count()).toBe(1);

			await page.goto('/upload');
			expect(await page.getByTestId('sign-in-prompt').innerText()).toBe('Sign in to upload Workers.');
			expect(await page.getByLabel('Worker name').count()).toBe(0);

			await page.goto('/workers/ui-public');
			expect(await page.getByRole('link', { name: 'Edit & redeploy' }).count()).toBe(0);
			expect(await page.getByRole('link', { name: 'Delete', exact: true }).count()).toBe(0);
			expect(await page.getByRole('link', { name: 'Sign in to edit or delete' }).getAttribute('href')).toBe('/login');

			await page.goto('/workers/ui-public/edit');
			expect(await page.getByTestId('sign-in-prompt').innerText()).toBe('Sign in to redeploy Workers.');
		} finally {
			await context.close();
		}
	});
});
