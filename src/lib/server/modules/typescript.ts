// TypeScript at upload: sucrase strips the types (and compiles enums and parameter properties), keeping
// the ES module imports and exports and every line where it was, so line numbers in the runtime's stack
// traces and in the import checks are the original file's. It runs inside the app Worker (pure
// JavaScript), imported on the first TypeScript upload so that an isolate serving requests never
// evaluates it. Type errors are not checked: that is the customer's compiler's business.
import { SourceSyntaxError } from '../module-check';

/** `source` without its types; SourceSyntaxError (original line and column) if it does not parse. */
export async function stripTypes(name: string, source: string): Promise<string> {
	const { transform } = await import('sucrase');
	try {
		return transform(source, { transforms: ['typescript'], disableESTransforms: true, filePath: name }).code;
	} catch (error) {
		const { message, loc } = error as Error & { loc?: { line: number; column: number } };
		// sucrase's messages end with "(line:column)", its columns counted from 1.
		const reason = message.replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '');
		throw new SourceSyntaxError(reason, loc?.line ?? 1, loc?.column ?? 1);
	}
}
