// `wfp customers …` (the operator's) and `wfp tokens …` (the operator's for any customer with --customer,
// a customer's for itself). Each is a group of subcommands with their own options and arguments.
import { isTRPCClientError } from '@trpc/client';
import type { Customer, CustomerWithUsage, Plan, TokenInfo } from '../lib/server/customers/service.ts';
import type { AppRouter } from '../lib/trpc/router.ts';
import { formatBytes } from '../lib/format.ts';
import type { Command, CommandOptions, CommandSpec } from './commands.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { confirm, formatTime, print, printJson, table, withSpinner } from './terminal.ts';

interface Subcommand {
	run: Command;
	/** The arguments, for usage messages: "<id>". */
	args: string[];
	options: (keyof CommandOptions)[];
}

/** A command made of subcommands: checks the subcommand, its options and its number of arguments. */
function group(command: string, subcommands: Record<string, Subcommand>): Command {
	const names = Object.keys(subcommands).join('|');
	// main.ts has refused options no subcommand takes, and passes the global ones (--url, --token).
	const ownOptions = new Set<string>(Object.values(subcommands).flatMap((subcommand) => subcommand.options));
	return async ([name, ...args], options, context) => {
		if (!Object.hasOwn(subcommands, name)) throw usageError(`unknown subcommand ${JSON.stringify(name)}; usage: wfp ${command} ${names}`);
		const subcommand = subcommands[name];
		for (const [option, value] of Object.entries(options)) {
			if (value === undefined || !ownOptions.has(option)) continue;
			if (!(subcommand.options as string[]).includes(option))
				throw usageError(`wfp ${command} ${name} has no option --${option} (see wfp ${command} --help)`);
		}
		if (args.length !== subcommand.args.length)
			throw usageError(`wrong number of arguments; usage: wfp ${command} ${name} ${subcommand.args.join(' ')}`.trimEnd());
		await subcommand.run(args, options, context);
	};
}

// Customers

const PLAN_OPTIONS = {
	'max-workers': 'maxWorkers',
	'max-script-bytes': 'maxScriptBytes',
	'max-asset-bytes': 'maxAssetBytes',
	'cpu-ms': 'cpuMs',
	subrequests: 'subRequests'
} as const satisfies Partial<Record<keyof CommandOptions, keyof Plan>>;

/** The plan limits given as options, checked before any request; undefined when none is given. */
function planOf(options: CommandOptions): Partial<Plan> | undefined {
	const plan: Partial<Plan> = {};
	for (const [option, key] of Object.entries(PLAN_OPTIONS) as [keyof typeof PLAN_OPTIONS, keyof Plan][]) {
		const text = options[option];
		if (text === undefined) continue;
		const value = Number(text);
		if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
			throw usageError(`--${option} must be a whole number, at least 1, got ${JSON.stringify(text)}`);
		plan[key] = value;
	}
	return Object.keys(plan).length ? plan : undefined;
}

/** "1 MiB scripts" style summary of a plan, for one line. */
const planSummary = (plan: Plan) =>
	`${plan.maxWorkers} Workers, ${formatBytes(plan.maxScriptBytes)} scripts, ${formatBytes(plan.maxAssetBytes)} of assets, ${plan.cpuMs} ms CPU, ${plan.subRequests} subrequests per request`;

function printCustomer(customer: Customer | CustomerWithUsage) {
	const { plan } = customer;
	const usage = 'workers' in customer ? [['workers', `${customer.workers} of ${plan.maxWorkers}`]] : [];
	print(
		table([
			['id', customer.id],
			['name', customer.name],
			...usage,
			['max workers', String(plan.maxWorkers)],
			['max script bytes', `${formatBytes(plan.maxScriptBytes)} (${plan.maxScriptBytes} bytes)`],
			['max asset bytes', `${formatBytes(plan.maxAssetBytes)} (${plan.maxAssetBytes} bytes)`],
			['cpu ms', String(plan.cpuMs)],
			['subrequests', String(plan.subRequests)],
			['created', formatTime(customer.createdAt)],
			['updated', formatTime(customer.updatedAt)]
		])
	);
}

const listCustomers: Command = async (_args, options, { client }) => {
	const customers: CustomerWithUsage[] = [];
	let cursor: string | null = null;
	do {
		const page: { customers: CustomerWithUsage[]; cursor: string | null } = await withSpinner(
			`listing customers (${customers.length} so far)`,
			client.customers.list.query({ cursor, limit: 100 })
		);
		customers.push(...page.customers);
		cursor = page.cursor;
	} while (cursor);

	if (options.json) return printJson(customers);
	if (customers.length === 0) return void process.stderr.write('no customers yet: create one with "wfp customers create <name>"\n');
	print(
		table([
			['ID', 'NAME', 'WORKERS', 'MAX SCRIPT', 'CPU MS', 'SUBREQUESTS', 'CREATED'],
			...customers.map((c) => [
				c.id,
				c.name,
				`${c.workers} of ${c.plan.maxWorkers}`,
				formatBytes(c.plan.maxScriptBytes),
				String(c.plan.cpuMs),
				String(c.plan.subRequests),
				formatTime(c.createdAt)
			])
		])
	);
};

const getCustomer: Command = async ([id], options, { client }) => {
	const customer = await withSpinner(`reading customer ${id}`, client.customers.get.query({ id }));
	if (options.json) return printJson(customer);
	printCustomer(customer);
};

const createCustomer: Command = async ([name], options, { client }) => {
	const plan = planOf(options);
	const customer = await withSpinner(`creating customer ${name}`, client.customers.create.mutate({ name, plan }));
	if (options.json) return printJson(customer);
	process.stderr.write(`created customer ${JSON.stringify(customer.name)} (${planSummary(customer.plan)})\n`);
	print(customer.id);
};

const updateCustomer: Command = async ([id], options, { client }) => {
	const plan = planOf(options);
	if (options.name === undefined && plan === undefined)
		throw usageError('nothing to change: give --name or a limit (--max-workers, --max-script-bytes, --cpu-ms, --subrequests)');
	const customer = await withSpinner(`updating customer ${id}`, client.customers.update.mutate({ id, name: options.name, plan }));
	if (options.json) return printJson(customer);
	printCustomer(customer);
};

const deleteCustomer: Command = async ([id], options, { client }) => {
	if (!options.yes) {
		if (!process.stdin.isTTY) throw usageError(`not deleting customer ${id} without confirmation: pass --yes`);
		const customer = await client.customers.get.query({ id });
		const question = `Delete customer ${JSON.stringify(customer.name)} (${id})? Its ${customer.workers} Workers stop serving and its tokens stop working.`;
		if (!(await confirm(question))) throw new CliError(`cancelled: customer ${id} was not deleted`, EXIT.failed);
	}
	const result = await withSpinner(`deleting customer ${id}`, client.customers.delete.mutate({ id }));
	if (options.json) return printJson(result);
	print(`deleted customer ${id} and its ${result.workersDeleted} Worker${result.workersDeleted === 1 ? '' : 's'}`);
};

// Tokens

/** The operator must say whose tokens; the server's "customerId is required" becomes the option to pass. */
async function forCustomer<T>(work: Promise<T>, usage: string): Promise<T> {
	try {
		return await work;
	} catch (error) {
		if (isTRPCClientError<AppRouter>(error) && error.data?.code === 'BAD_REQUEST' && error.data.field === 'customerId')
			throw usageError(`the operator names the customer: ${usage}`);
		throw error;
	}
}

const listTokens: Command = async (_args, options, { client }) => {
	const tokens: TokenInfo[] = await withSpinner(
		'listing tokens',
		forCustomer(client.tokens.list.query({ customerId: options.customer }), 'wfp tokens list --customer <id>')
	);
	if (options.json) return printJson(tokens);
	if (tokens.length === 0) return void process.stderr.write('no tokens yet: create one with "wfp tokens create <label>"\n');
	print(
		table([
			['ID', 'LABEL', 'CUSTOMER', 'CREATED', 'LAST USED'],
			...tokens.map((t) => [t.id, t.label, t.customerId, formatTime(t.createdAt), t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'])
		])
	);
};

const createToken: Command = async ([label], options, { client }) => {
	const created = await withSpinner(
		`creating token ${label}`,
		forCustomer(client.tokens.create.mutate({ customerId: options.customer, label }), 'wfp tokens create <label> --customer <id>')
	);
	if (options.json) return printJson(created);
	process.stderr.write(`created token ${created.id} (${JSON.stringify(created.label)}) for customer ${created.customerId}\n`);
	process.stderr.write('this token is not shown again: store it now (the platform keeps only its hash)\n');
	print(created.token);
};

const revokeToken: Command = async ([id], options, { client }) => {
	const result = await withSpinner(`revoking token ${id}`, client.tokens.revoke.mutate({ id }));
	if (options.json) return printJson(result);
	print(`revoked token ${id}: it stops working at once`);
};

const PLAN_OPTION_NAMES = Object.keys(PLAN_OPTIONS) as (keyof typeof PLAN_OPTIONS)[];

const customers = group('customers', {
	list: { run: listCustomers, args: [], options: ['json'] },
	get: { run: getCustomer, args: ['<id>'], options: ['json'] },
	create: { run: createCustomer, args: ['<name>'], options: ['json', ...PLAN_OPTION_NAMES] },
	update: { run: updateCustomer, args: ['<id>'], options: ['json', 'name', ...PLAN_OPTION_NAMES] },
	delete: { run: deleteCustomer, args: ['<id>'], options: ['json', 'yes'] }
});

const tokens = group('tokens', {
	list: { run: listTokens, args: [], options: ['json', 'customer'] },
	create: { run: createToken, args: ['<label>'], options: ['json', 'customer'] },
	revoke: { run: revokeToken, args: ['<id>'], options: ['json'] }
});

export const CUSTOMER_COMMANDS = {
	customers: { run: customers, options: ['json', 'yes', 'name', ...PLAN_OPTION_NAMES], positionals: [1, 2] },
	tokens: { run: tokens, options: ['json', 'customer'], positionals: [1, 2] }
} satisfies Record<string, CommandSpec>;
