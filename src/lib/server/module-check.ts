// Upload-time checks of a Worker's JavaScript: parsing with the parser's line/column, and whether the main
// module's default export has a `fetch` handler. Rejecting here means a broken upload never replaces a
// working Worker. src/lib/server/modules/bundle.ts applies these to every module of an upload.
import { parse, type Node } from 'acorn';

export type AnyNode = Node & Record<string, any>;

export const WORKER_EXAMPLE = 'export default { async fetch(request, env, ctx) { return new Response("hi") } }';

/** A syntax error at a 1-based line and column. */
export class SourceSyntaxError extends Error {
	constructor(
		message: string,
		readonly line: number,
		readonly column: number
	) {
		super(message);
	}
}

/** The program of an ES module (or, with `script`, of a CommonJS module); SourceSyntaxError if it does not parse. */
export function parseJavaScript(code: string, kind: 'module' | 'script' = 'module'): AnyNode {
	try {
		return parse(code, {
			ecmaVersion: 'latest',
			sourceType: kind,
			locations: true,
			...(kind === 'script' && { allowReturnOutsideFunction: true })
		}) as AnyNode;
	} catch (error) {
		const { message, loc } = error as SyntaxError & { loc?: { line: number; column: number } };
		// acorn appends "(line:column)" to its messages; the error carries them apart.
		throw new SourceSyntaxError(message.replace(/ \(\d+:\d+\)$/, ''), loc?.line ?? 1, (loc?.column ?? 0) + 1);
	}
}

/**
 * What is wrong with the main module `program` as a Worker: a message, `{ reexport }` when its default
 * export comes from another module (`export { default } from "./app.js"`: judge that one), or null.
 */
export function mainModuleProblem(program: AnyNode): string | { reexport: string } | null {
	const body: AnyNode[] = program.body;
	for (const node of body)
		if (node.type === 'ExportNamedDeclaration' && node.source)
			for (const specifier of node.specifiers)
				if (exportedName(specifier) === 'default') return { reexport: String(node.source.value) };

	const defaultExport = findDefaultExport(body);
	if (!defaultExport) {
		if (body.some(isFetchEventListener))
			return `Service Worker syntax (addEventListener("fetch", ...)) is not supported; use an ES module: ${WORKER_EXAMPLE}`;
		return `the module has no default export; a Worker must have one: ${WORKER_EXAMPLE}`;
	}
	const handlerProblem = fetchHandlerProblem(resolveTopLevel(defaultExport, body));
	return handlerProblem ? `${handlerProblem}: ${WORKER_EXAMPLE}` : null;
}

const exportedName = (specifier: AnyNode) => specifier.exported.name ?? specifier.exported.value;

function findDefaultExport(body: AnyNode[]): AnyNode | null {
	for (const node of body) {
		if (node.type === 'ExportDefaultDeclaration') return node.declaration;
		if (node.type === 'ExportNamedDeclaration' && !node.source)
			for (const specifier of node.specifiers)
				if (exportedName(specifier) === 'default') return specifier.local;
	}
	return null;
}

/** Follows `export default handler` to `const handler = {...}` / `class Handler {...}` at the top level. */
function resolveTopLevel(node: AnyNode, body: AnyNode[]): AnyNode {
	if (node.type !== 'Identifier') return node;
	for (const statement of body) {
		const declaration = statement.type.startsWith('Export') ? statement.declaration : statement;
		if (!declaration) continue;
		if (declaration.type === 'VariableDeclaration')
			for (const declarator of declaration.declarations)
				if (declarator.id.type === 'Identifier' && declarator.id.name === node.name && declarator.init)
					return declarator.init;
		if ((declaration.type === 'ClassDeclaration' || declaration.type === 'FunctionDeclaration') && declaration.id?.name === node.name)
			return declaration;
	}
	return node;
}

/** Why the default export cannot serve fetch events, when that can be seen without running it. */
function fetchHandlerProblem(node: AnyNode): string | null {
	switch (node.type) {
		case 'ObjectExpression': {
			const hasSpread = node.properties.some((p: AnyNode) => p.type === 'SpreadElement');
			const hasFetch = node.properties.some((p: AnyNode) => p.type === 'Property' && propertyName(p) === 'fetch');
			return hasFetch || hasSpread ? null : 'the default export has no fetch handler';
		}
		case 'ClassDeclaration':
		case 'ClassExpression': {
			const hasFetch = node.body.body.some((m: AnyNode) => m.type === 'MethodDefinition' && !m.static && propertyName(m) === 'fetch');
			// A subclass (e.g. of WorkerEntrypoint) may inherit fetch; only a plain class is known to lack it.
			return hasFetch || node.superClass ? null : 'the default export is a class without a fetch method';
		}
		case 'FunctionDeclaration':
		case 'FunctionExpression':
		case 'ArrowFunctionExpression':
			return 'the default export is a function, not an object with a fetch handler';
		case 'Literal':
		case 'TemplateLiteral':
		case 'ArrayExpression':
			return 'the default export is not an object with a fetch handler';
		default:
			// Anything computed (`new Hono()`, a call, an import) can only be judged by running it.
			return null;
	}
}

function propertyName(node: AnyNode): string | null {
	if (node.computed) return node.key.type === 'Literal' ? String(node.key.value) : null;
	return node.key.type === 'Identifier' ? node.key.name : String(node.key.value);
}

function isFetchEventListener(node: AnyNode): boolean {
	const call = node.type === 'ExpressionStatement' ? node.expression : null;
	if (call?.type !== 'CallExpression') return false;
	const callee = call.callee;
	const name = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' ? callee.property?.name : null;
	return name === 'addEventListener' && call.arguments[0]?.type === 'Literal' && call.arguments[0].value === 'fetch';
}
