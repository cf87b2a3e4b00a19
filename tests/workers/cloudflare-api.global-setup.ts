// vitest globalSetup of the workers project: runs the fake Cloudflare API in Node for the whole run
// and hands its address and credentials to the tests inside workerd (`inject('fakeCloudflareApi')`).
import type { TestProject } from 'vitest/node';
import { startFakeCloudflareApi } from '../support/fake-cloudflare-api';

export interface FakeCloudflareApiSettings {
	url: string;
	accountId: string;
	apiToken: string;
	namespace: string;
	zoneId: string;
}

declare module 'vitest' {
	export interface ProvidedContext {
		fakeCloudflareApi: FakeCloudflareApiSettings;
	}
}

export default async function setup(project: TestProject) {
	const credentials = {
		accountId: 'f0e1d2c3b4a5f0e1d2c3b4a5f0e1d2c3',
		apiToken: 'test-api-token',
		namespace: 'test-namespace',
		zoneId: '0a1b2c3d4e5f0a1b2c3d4e5f0a1b2c3d'
	};
	const api = await startFakeCloudflareApi(credentials);
	project.provide('fakeCloudflareApi', { url: api.url, ...credentials });
	return () => api.close();
}
