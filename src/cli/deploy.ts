// `wfp deploy [path]`: finds the project (src/cli/project.ts), builds it (src/cli/build.ts), prints a
// one-line summary, and uploads it with the wrangler config's vars in place before its first request.
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { isTRPCClientError } from '@trpc/client';
import type { PlatformClient } from '../lib/trpc/client.ts';
import type { AppRouter } from '../lib/trpc/router.ts';
import { formatBytes } from '../lib/format.ts';
import { workerNameProblem } from '../lib/worker-name.ts';
import { uploadAssets } from './assets.ts';
import { buildSummary, buildWorker, moduleBytes, type WorkerBuild } from './build.ts';
import type { CommandContext, CommandOptions } from './commands.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { findProject, shownPath, type Project } from './project.ts';
import { print, printJson, printNote, withSpinner } from './terminal.ts';

/** The metadata file --outdir writes beside the module(s). */
export const OUTDIR_METADATA = 'wfp-deploy.json';

interface UploadFields {
	name: string;
	compatibilityDate: string | undefined;
	message: string | undefined;
	/** The static assets the version serves (an upload session of src/cli/assets.ts). */
	assets?: { session: string };
}

/** The one call that sends a build to the platform: its modules, and the vars that change with it. */
function uploadBuild(client: PlatformClient, build: WorkerBuild, fields: UploadFields, vars: Record<string, string | null>) {
	return client.workers.upload.mutate({
		...fields,
		mainModule: build.mainModule,
		modules: build.modules,
		...(Object.keys(vars).length > 0 && { vars })
	});
}

/** The Worker's current vars, or null when no Worker has the name yet. */
async function currentVars(client: PlatformClient, name: string): Promise<Record<string, string> | null> {
	try {
		return (await client.workers.settings.get.query({ name })).vars;
	} catch (error) {
		if (isTRPCClientError<AppRouter>(error) && error.data?.code === 'NOT_FOUND') return null;
		throw error;
	}
}

/** The settings change that makes `current` equal the config's vars (name -> value, or null to remove). */
export function varsChange(current: Record<string, string>, wanted: Record<string, string>, keepOthers: boolean): Record<string, string | null> {
	const change: Record<string, string | null> = {};
	for (const [key, value] of Object.entries(wanted)) if (current[key] !== value) change[key] = value;
	if (!keepOthers) for (const key of Object.keys(current)) if (!Object.hasOwn(wanted, key)) change[key] = null;
	return change;
}

/**
 * Uploads the build and makes it serve with `vars` (null: leave the Worker's vars as they are). The vars
 * that change travel with the upload, which sets them as the version starts serving: its first request
 * already sees them, and a refused upload changes neither.
 */
async function uploadWithVars(
	client: PlatformClient,
	build: WorkerBuild,
	fields: UploadFields,
	vars: { values: Record<string, string>; keepOthers: boolean } | null
) {
	const current = vars && ((await currentVars(client, fields.name)) ?? {});
	const change = vars ? varsChange(current!, vars.values, vars.keepOthers) : {};
	return { record: await uploadBuild(client, build, fields, change), change };
}

/** The assets directory to upload (--assets, else the config's assets.directory), checked to be a directory. */
function assetsDirectory(options: CommandOptions, project: Project): string | null {
	const directory = options.assets !== undefined ? resolve(options.assets) : project.config?.assetsDirectory;
	if (directory === undefined) return null;
	const shown = shownPath(directory);
	if (!existsSync(directory) || !statSync(directory).isDirectory()) throw usageError(`assets directory ${shown} is not a directory`);
	return directory;
}

/** Writes the module(s) and a metadata file describing the upload into `outdir`. */
async function writeOutdir(outdir: string, build: WorkerBuild, metadata: Record<string, unknown>): Promise<void> {
	for (const [moduleName, source] of Object.entries(build.modules)) {
		const path = join(outdir, moduleName);
		await mkdir(dirname(path), { recursive: true });
		await writeFile(path, moduleBytes(moduleName, source));
	}
	await writeFile(join(outdir, OUTDIR_METADATA), `${JSON.stringify(metadata, null, '\t')}\n`);
}

export async function deploy([path]: string[], options: CommandOptions, { client }: CommandContext): Promise<void> {
	const project = findProject(path);
	const { config } = project;
	const name = options.name ?? project.defaultName.name;
	const problem = workerNameProblem(name);
	if (problem) {
		const hint = options.name === undefined ? ` (taken from ${project.defaultName.from}; choose one with --name)` : '';
		throw usageError(`invalid Worker name ${JSON.stringify(name)}: ${problem}${hint}`);
	}
	const assets = assetsDirectory(options, project);
	const compatibilityDate = options['compatibility-date'] ?? config?.compatibilityDate;
	// With a wrangler config, its vars are the Worker's vars (wrangler's rule; keep_vars keeps the others).
	const vars = config ? { values: config.vars ?? {}, keepOthers: config.keepVars } : null;

	const build = await buildWorker(project.entry, project.root, printNote);
	const summary = buildSummary(project.entry, build);
	const metadata = {
		name,
		mainModule: build.mainModule,
		modules: Object.fromEntries(Object.entries(build.modules).map(([moduleName, source]) => [moduleName, moduleBytes(moduleName, source).length])),
		bundled: build.bundled,
		size: build.size,
		gzipSize: build.gzipSize,
		entry: relative(project.root, project.entry),
		config: config && shownPath(config.path),
		compatibilityDate: compatibilityDate ?? null,
		vars: vars && { ...vars.values },
		keepVars: config?.keepVars ?? false,
		assets: assets && shownPath(assets)
	};
	if (options.outdir !== undefined) await writeOutdir(resolve(options.outdir), build, metadata);

	if (options['dry-run']) {
		if (options.json) return printJson(metadata);
		printNote(summary);
		const written = options.outdir === undefined ? '' : `; wrote it to ${options.outdir}`;
		return printNote(`dry run: ${name} was not uploaded${written}`);
	}
	// A file uploaded as written says nothing more than it always did.
	if (build.bundled) printNote(summary);
	const uploadedAssets = assets ? await withSpinner(`uploading assets from ${shownPath(assets)}`, uploadAssets(client, name, assets)) : undefined;
	if (uploadedAssets)
		printNote(
			`assets: ${uploadedAssets.files} files, ${uploadedAssets.uploaded} uploaded (${formatBytes(uploadedAssets.uploadedBytes)}), the rest already stored`
		);

	const { record, change } = await withSpinner(
		`deploying ${name} (${formatBytes(build.size)})`,
		uploadWithVars(client, build, { name, compatibilityDate, message: options.message, assets: uploadedAssets?.assets }, vars)
	);
	const set = Object.keys(change).filter((key) => change[key] !== null);
	const removed = Object.keys(change).filter((key) => change[key] === null);
	if (set.length || removed.length)
		printNote(`vars: ${[set.length ? `set ${set.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean).join('; ')}`);
	if (options.json) return printJson(record);
	printNote(`deployed ${record.name} version ${record.version} (${formatBytes(record.size)}, compatibility date ${record.compatibilityDate})`);
	// Its own origin first, when the platform serves one.
	print(record.hostUrl ?? record.url);
}
