// Customers end to end, over HTTP with the typed client and in Chromium, against the app started as
// `npm start` starts it with an admin token: two customers and the operator, each with its own token.
import { beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { useBrowser } from './browser';
import { useApp } from './use-app';

const ADMIN_TOKEN = 'customers-e2e-admin-token';
// Many wrong tokens on purpose below: the throttle is tested in security.test.ts.
const app = useApp({ PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN, AUTH_MAX_FAILURES_PER_MINUTE: '1000' });

const site = (text: string) => `export default { fetch: () => new Response(${JSON.stringify(text)}) }`;
const code = (error: unknown) => (error as { data?: { code?: string } }).data?.code;
const refusal = async (call: Promise<unknown>) => {
	const error = await call.then(
		() => null,
		(e) => e
	);
	if (!error) throw new Error('expected the call to be refused');
	return { code: code(error), message: (error as Error).message };
};

let admin: PlatformClient;
let a: PlatformClient;
let b: PlatformClient;
let customerA: { id: string };
let tokenA: { id: string; token: string };

beforeAll(async () => {
	admin = createPlatformClient(app.url, { token: ADMIN_TOKEN });
	customerA = await admin.customers.create.mutate({ name: 'Customer A', plan: { maxWorkers: 2 } });
	const customerB = await admin.customers.create.mutate({ name: 'Customer B' });
	tokenA = await admin.tokens.create.mutate({ customerId: customerA.id, label: 'ci' });
	const tokenB = await admin.tokens.create.mutate({ customerId: customerB.id, label: 'ci' });
	a = createPlatformClient(app.url, { token: tokenA.token });
	b = createPlatformClient(app.url, { token: tokenB.token });
});

describe('customers over HTTP', () => {
	it("keeps A's Worker A's: B cannot read, list, delete or overwrite it, and it keeps serving", async () => {
		await a.workers.upload.mutate({ name: 'a-site', code: site('A') });
		expect((await b.workers.list.query()).workers).toEqual([]);
		expect(await refusal(b.workers.get.query({ name: 'a-site' }))).toEqual({ code: 'NOT_FOUND', message: 'no Worker is named "a-site"' });
		expect((await refusal(b.workers.delete.mutate({ name: 'a-site' }))).code).toBe('NOT_FOUND');
		expect(await refusal(b.workers.upload.mutate({ name: 'a-site', code: site('B') }))).toEqual({
			code: 'CONFLICT',
			message: 'the name "a-site" is taken; choose another name'
		});
		expect(await (await fetch(`${app.url}/user-workers/a-site/`)).text()).toBe('A');
		expect((await a.workers.list.query()).workers.map((w) => [w.name, w.customerId])).toEqual([['a-site', customerA.id]]);
		expect((await admin.workers.list.query({ customerId: customerA.id })).workers.map((w) => w.name)).toEqual(['a-site']);
	});

	it('refuses anonymous reads', async () => {
		const anonymous = createPlatformClient(app.url);
		expect((await refusal(anonymous.workers.list.query())).code).toBe('UNAUTHORIZED');
		expect((await refusal(anonymous.workers.get.query({ name: 'a-site' }))).code).toBe('UNAUTHORIZED');
		expect(await anonymous.auth.whoami.query()).toEqual({ kind: 'anonymous', openMode: false });
	});

	it('refuses the third Worker on a plan of 2, naming the limit', async () => {
		await a.workers.upload.mutate({ name: 'a-second', code: site('2') });
		const third = await refusal(a.workers.upload.mutate({ name: 'a-third', code: site('3') }));
		expect(third.code).toBe('FORBIDDEN');
		expect(third.message).toContain('your plan allows 2 Workers and you have 2 (maxWorkers)');
		expect((await fetch(`${app.url}/user-workers/a-third/`)).status).toBe(404);
	});

	it('stops a revoked token on the very next call', async () => {
		const spare = await a.tokens.create.mutate({ label: 'spare' });
		const withSpare = createPlatformClient(app.url, { token: spare.token });
		expect((await withSpare.auth.whoami.query()).kind).toBe('customer');
		await admin.tokens.revoke.mutate({ id: spare.id });
		const refused = await refusal(withSpare.workers.list.query());
		expect(refused.code).toBe('UNAUTHORIZED');
		expect(refused.message).toContain('revoked');
	});

	it("deletes a customer's Workers with it: their URLs answer 404", async () => {
		const c = await admin.customers.create.mutate({ name: 'Customer C' });
		const tokenC = await admin.tokens.create.mutate({ customerId: c.id, label: 'x' });
		await createPlatformClient(app.url, { token: tokenC.token }).workers.upload.mutate({ name: 'c-site', code: site('C') });
		expect((await fetch(`${app.url}/user-workers/c-site/`)).status).toBe(200);
		expect(await admin.customers.delete.mutate({ id: c.id })).toEqual({ id: c.id, deleted: true, workersDeleted: 1 });
		expect((await fetch(`${app.url}/user-workers/c-site/`)).status).toBe(404);
		expect((await refusal(createPlatformClient(app.url, { token: tokenC.token }).auth.whoami.query())).code).toBe('UNAUTHORIZED');
	});
});

describe('customers in the browser', () => {
	const browser = useBrowser();

	it('the operator adds a customer and a token; the customer signs in with it and sees only its own', async () => {
		const context = await browser().newContext({ baseURL: app.url });
		try {
			const page = await context.newPage();
			await page.goto('/login');
			await page.getByLabel('Token').fill(ADMIN_TOKEN);
			await Promise.all([page.waitForURL(`${app.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
			// The operator's list shows each Worker's owner by name.
			expect(await page.getByTestId('worker-row').filter({ hasText: 'a-site' }).innerText()).toContain('Customer A');

			await Promise.all([page.waitForURL('**/customers'), page.getByRole('link', { name: 'Customers' }).click()]);
			await page.getByLabel('Name', { exact: true }).fill('Browser Co');
			await Promise.all([page.waitForURL('**/customers/cus_*'), page.getByRole('button', { name: 'Add customer' }).click()]);
			// The plan's asset storage bound, set in the form and shown with the plan.
			await page.getByLabel('Static assets stored (bytes)').fill('2048');
			await page.getByRole('button', { name: 'Save' }).click();
			await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
			expect(await page.locator('dd').filter({ hasText: 'stored' }).innerText()).toBe('up to 2 KiB stored');
			await page.getByLabel('New token’s label').fill('browser');
			await page.getByRole('button', { name: 'Create token' }).click();
			const token = await page.getByLabel('The new token').inputValue();
			expect(token).toMatch(/^wfp_/);
			expect(await page.getByTestId('token-row').innerText()).toContain('browser');
			await page.reload();
			expect(await page.content()).not.toContain(token);
			await page.getByRole('button', { name: 'Sign out' }).click();
			await page.waitForURL('**/login');

			await page.getByLabel('Token').fill(token);
			await Promise.all([page.waitForURL(`${app.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
			expect(await page.getByTestId('signed-in-as').innerText()).toBe('Browser Co');
			expect(await page.getByTestId('empty-state').count()).toBe(1);
			expect(await page.getByRole('link', { name: 'Customers' }).count()).toBe(0);
			await page.goto('/workers/a-site');
			expect(await page.locator('h1').innerText()).toBe('Not found');
			await page.goto('/tokens');
			expect(await page.getByTestId('token-row').innerText()).toContain('browser');
			for (const [label, options] of [
				['desktop', { width: 1280, height: 900 }],
				['mobile', { width: 375, height: 800 }]
			] as const) {
				await page.setViewportSize(options);
				await page.screenshot({ path: `tests/e2e/screenshots/tokens-${label}.png`, fullPage: true });
			}
		} finally {
			await context.close();
		}
	});
});
