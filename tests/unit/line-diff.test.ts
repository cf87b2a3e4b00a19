import { describe, expect, it } from 'vitest';
import { lineDiff } from '../../src/lib/ui/line-diff';

const render = (before: string, after: string) =>
	lineDiff(before, after)?.map(({ kind, text }) => `${kind === 'same' ? ' ' : kind === 'added' ? '+' : '-'}${text}`);

describe('lineDiff', () => {
	it('marks removed and added lines between unchanged ones', () => {
		expect(render('a\nb\nc\nd', 'a\nB\nc\nd\ne')).toEqual([' a', '+B', '-b', ' c', ' d', '+e']);
		expect(render('same', 'same')).toEqual([' same']);
		expect(render('x\ny', '')).toEqual(['+', '-x', '-y']);
	});

	it('keeps the longest common run of lines in the middle', () => {
		expect(render('1\n2\n3\n4\n5', '0\n2\n3\n4\n6')).toEqual(['+0', '-1', ' 2', ' 3', ' 4', '+6', '-5']);
	});

	it('gives up (null) when the changed region is too large to compare', () => {
		const many = (tag: string) => Array.from({ length: 2100 }, (_, i) => `${tag}${i}`).join('\n');
		expect(lineDiff(many('a'), many('b'))).toBeNull();
	});
});
