import { describe, expect, it } from 'vitest';
import { workerNameProblem, RESERVED_WORKER_NAMES } from '$lib/worker-name';

describe('workerNameProblem', () => {
	it.each(['a', 'hello', 'my-worker-2', '0day', 'a'.repeat(63)])('accepts %s', (name) => {
		expect(workerNameProblem(name)).toBeNull();
	});

	it.each([
		['', 'name is required'],
		['Hello', 'lowercase'],
		['my_worker', 'may only contain a-z, 0-9 and "-" (found "_")'],
		['a/b', '(found "/")'],
		['a%2fb', '(found "%")'],
		['..', '(found ".")'],
		['-lead', 'must not start or end with "-"'],
		['trail-', 'must not start or end with "-"'],
		['a'.repeat(64), '64 characters long; the limit is 63'],
		['héllo', '(found "é")'],
		['аpi', '(found "а")'], // Cyrillic a: a look-alike of "api"
		['api', 'reserved']
	])('rejects %j with a message naming the rule', (name, message) => {
		expect(workerNameProblem(name)).toContain(message);
	});

	it('reserves the platform routes', () => {
		for (const name of ['api', 'admin', 'upload', '_app']) expect(RESERVED_WORKER_NAMES.has(name)).toBe(true);
	});
});
