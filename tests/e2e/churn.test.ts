// Redeploys under load, as a platform's customers do all day: 8 clients request a Worker in a loop while it
// is re-uploaded 20 times (and, in the second run, deleted and uploaded again every fifth time). Loopback
// only, bounded in requests and time. The app runs as `npm start` runs it, user Workers in the runner.
import { describe, expect, it } from 'vitest';
import { useApp } from './use-app';
import { runChurn } from '../../bench/churn';

const app = useApp();

describe('redeploys under load', () => {
	it('answers every request from a version that was active during it: no 5xx, no 404', async () => {
		const result = await runChurn(app.url, app.client, { name: 'churn', uploads: 20, deleteEvery: 0 });
		expect(result.requests).toBeGreaterThan(100);
		expect(result.byStatus).toEqual({ 200: result.requests });
		expect(result.fromInactiveVersion).toEqual([]);
		const { versions, serving } = await app.client.workers.versions.query({ name: 'churn', limit: 30 });
		expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, i) => 21 - i).slice(0, 20));
		expect(serving).toBe(21);
	});

	it('never answers 5xx when every fifth upload is a delete and a new upload', async () => {
		const result = await runChurn(app.url, app.client, { name: 'churn-delete', uploads: 20, deleteEvery: 5 });
		expect(result.requests).toBeGreaterThan(100);
		expect(Object.keys(result.byStatus).filter((status) => Number(status) >= 500)).toEqual([]);
		expect(result.fromInactiveVersion).toEqual([]);
		// A 404 only while the Worker was deleted: from the delete's start until the next upload returned.
		expect(result.missingOutsideDeletes).toEqual([]);
	});
});
