// Upload-time checks of a user Worker's source: it must be a single ES module whose default export
// has a `fetch` handler. Rejecting here (with the parser's line/column) means a broken upload never
// replaces a working Worker.
import { parse, type Node } from 'acorn';
import { InputError } from './errors';

type AnyNode = Node & Record<string, any>;

const EXAMPLE = 'export default { async fetch(request, env, ctx) { return new Response("hi") } }';

export function checkWorkerModule(code: string): void {
	let program: AnyNode;
	try {
		program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as AnyNode;
	} catch (error) {
		const { message, loc } = error as SyntaxError & { loc?: { line: number; column: number } };
		const where = loc ? ` at line ${loc.line}, column ${loc.column + 1}` : '';
		// acorn appends "(line:column)" to its messages; we say it in words instead.
		throw new InputError('code', `syntax error${where}: ${message.replace(/ \(\d+:\d+\)$/, '')}`);
	}

	const body: AnyNode[] = program.body;
	for (const node of body) {
		if (node.type === 'ImportDeclaration' && !String(node.source.value).startsWith('cloudflare:'))
			throw new InputError(
				'code',
				`line ${node.loc!.start.line}: cannot import ${JSON.stringify(node.source.value)}; upload a single bundled module (only "cloudflare:*" imports are available)`
			);
	}

	const defaultExport = findDefaultExport(body);
	if (!defaultExport) {
		if (body.some(isFetchEventListener))
			throw new InputError(
				'code',
				`Service Worker syntax (addEventListener("fetch", ...)) is not supported; use an ES module: ${EXAMPLE}`
			);
		throw new InputError('code', `the module has no default export; a Worker must have one: ${EXAMPLE}`);
	}

	const handlerProblem = fetchHandlerProblem(resolveTopLevel(defaultExport, body));
	if (handlerProblem) throw new InputError('code', `${handlerProblem}: ${EXAMPLE}`);
}

function findDefaultExport(body: AnyNode[]): AnyNode | null {
	for (const node of body) {
		if (node.type === 'ExportDefaultDeclaration') return node.declaration;
		if (node.type === 'ExportNamedDeclaration' && !node.source)
			for (const specifier of node.specifiers)
				if (specifier.exported.name === 'default' || specifier.exported.value === 'default') return specifier.local;
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
