// Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by playwright-core: no browser
// downloads. The flags keep Chromium off the network, which this machine does not have.
import { afterAll, beforeAll } from 'vitest';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
}

/** The viewports and colour schemes the UI is checked in (desktop, 375 px, dark). */
export const SCREENSHOT_VIEWPORTS: [string, BrowserContextOptions][] = [
	['desktop', { viewport: { width: 1280, height: 900 } }],
	['mobile', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true }],
	['desktop-dark', { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }],
	['mobile-dark', { viewport: { width: 375, height: 812 }, colorScheme: 'dark', isMobile: true }]
];

/**
 * Saves a full-page screenshot of the page as it is once its editor (if any) has rendered, and checks that
 * nothing on it is wider than the viewport (`what` names the page in the failure).
 */
export async function checkedScreenshot(page: Page, file: string, what: string): Promise<void> {
	if ((await page.locator('.cm-editor').count()) > 0) {
		// CodeMirror measures its lines once it is on screen: show it, let it settle, scroll back.
		await page.locator('.cm-editor').first().scrollIntoViewIfNeeded();
		await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
		await page.evaluate(() => window.scrollTo(0, 0));
	}
	expect(await page.evaluate(() => document.documentElement.scrollWidth), what).toBeLessThanOrEqual(page.viewportSize()!.width);
	await page.screenshot({ path: file, fullPage: true });
}

/** One Chromium for the enclosing describe block: launched before its tests, closed after them. */
export function useBrowser(): () => Browser {
	let browser: Browser | undefined;
	beforeAll(async () => {
		browser = await launchBrowser();
	});
	afterAll(() => browser?.close());
	return () => browser!;
}
