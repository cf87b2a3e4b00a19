// What the CLI shows on a terminal of what a Worker or a server wrote (src/cli/terminal.ts).
import { describe, expect, it } from 'vitest';
import { forStream, sanitizeForTerminal } from '../../src/cli/terminal.ts';

describe('sanitizeForTerminal', () => {
	it('keeps text, tabs and line breaks', () => {
		expect(sanitizeForTerminal('héllo\tworld\n{"a": 1}\n✓ 日本\n')).toBe('héllo\tworld\n{"a": 1}\n✓ 日本\n');
	});

	it('removes CSI sequences: colours, cursor moves, screen clearing', () => {
		expect(sanitizeForTerminal('\x1b[31mred\x1b[0m \x1b[2J\x1b[H\x1b[1;1Hhome \x1b[?25l\x1b[38;2;1;2;3mrgb')).toBe('red home rgb');
	});

	it('removes OSC and other string commands, terminated by BEL or ST', () => {
		expect(sanitizeForTerminal('a\x1b]0;pwned title\x07b')).toBe('ab');
		expect(sanitizeForTerminal('a\x1b]52;c;ZWNobyBoaQ==\x1b\\b')).toBe('ab'); // clipboard write
		expect(sanitizeForTerminal('a\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\b')).toBe('alinkb');
		expect(sanitizeForTerminal('a\x1bP+q544e\x1b\\b\x1b_apc\x1b\\c')).toBe('abc');
	});

	it('removes an unterminated string command\'s introducer and keeps the text after it visible', () => {
		expect(sanitizeForTerminal('a\x1b]0;no end')).toBe('a0;no end');
	});

	it('removes two-character escapes, C0 controls (but tab and line feed), DEL and C1 controls', () => {
		expect(sanitizeForTerminal('a\x1bcb\x1b7c\x1b(0d')).toBe('abcd');
		expect(sanitizeForTerminal('a\rb\x08c\x07d\x00e\x0bf\x0cg\x7fh')).toBe('abcdefgh');
		expect(sanitizeForTerminal('a\x9b31mb\x9d0;title\x9cc\x85d')).toBe('abcd');
	});
});

describe('forStream', () => {
	it('sanitizes for a terminal and keeps every character otherwise', () => {
		const text = 'const RED = "\x1b[31m"; // \x07\r\n';
		expect(forStream({ isTTY: true }, text)).toBe('const RED = ""; // \n');
		expect(forStream({ isTTY: false }, text)).toBe(text);
		expect(forStream({}, text)).toBe(text);
	});
});
