// The Worker page's Versions and Settings sections: what they load, and their form actions (roll back to a
// version, change vars, set or delete a secret). Each calls the same tRPC procedures as every other client;
// a failure comes back as the form's state with the message, naming the section it belongs to.
import type { RequestEvent } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/caller';
import { formFailure } from './errors.server';
import { lineDiff, type DiffLine } from './line-diff';
import { filesOf, isBinaryModule, sortedFileNames } from './project-files';

/** How many versions the page lists (the API pages through the rest). */
export const PAGE_VERSIONS = 20;

export interface VersionDiff {
	version: number;
	serving: number;
	/** The files that differ, in file-tree order. */
	files: FileDiff[];
	/** How many files are the same in both versions. */
	unchanged: number;
	/** The main modules, when the versions run different ones. */
	mainModules: { version: string; serving: string } | null;
}

export interface FileDiff {
	name: string;
	/** `only-version`: the compared version has it, the serving one not; `only-serving`: the reverse. */
	change: 'changed' | 'only-version' | 'only-serving';
	/** null: a binary module, or too large to compare line by line. */
	lines: DiffLine[] | null;
}

type VersionSource = { code: string; mainModule?: string; modules?: Record<string, string> };

/** Each file of `version` against the serving version's file of the same name. */
export function versionFilesDiff(serving: VersionSource, version: VersionSource): Omit<VersionDiff, 'version' | 'serving'> {
	const before = filesOf(serving);
	const after = filesOf(version);
	const names = sortedFileNames({ ...before.modules, ...after.modules });
	const files: FileDiff[] = [];
	for (const name of names) {
		const old = before.modules[name];
		const next = after.modules[name];
		if (old === next) continue;
		const change = old === undefined ? 'only-version' : next === undefined ? 'only-serving' : 'changed';
		files.push({ name, change, lines: isBinaryModule(name) ? null : lineDiff(old ?? '', next ?? '') });
	}
	const mainModules = before.mainModule === after.mainModule ? null : { version: after.mainModule, serving: before.mainModule };
	return { files, unchanged: names.length - files.length, mainModules };
}

/** The versions, the settings (secret names only), and with `?diff=<version>` that version against the serving one. */
export async function loadVersionsAndSettings(event: RequestEvent<{ name: string }>, serving: VersionSource & { version: number }) {
	const caller = serverCaller(event);
	const name = event.params.name;
	const [versions, settings] = await Promise.all([
		caller.workers.versions({ name, limit: PAGE_VERSIONS }),
		caller.workers.settings.get({ name })
	]);
	let diff: VersionDiff | null = null;
	const asked = Number(event.url.searchParams.get('diff'));
	if (asked !== serving.version && versions.versions.some((v) => v.version === asked)) {
		const other = await caller.workers.get({ name, version: asked });
		diff = { version: asked, serving: serving.version, ...versionFilesDiff(serving, other) };
	}
	return { versions, settings, diff };
}

export type SectionFormState = {
	section: 'versions' | 'vars' | 'secrets';
	message?: string;
	done?: string;
};

/** Makes the form's `version` serve: a rollback to an older version, a deploy of a newer (staged) one. */
export async function rollbackFromForm(event: RequestEvent<{ name: string }>) {
	const form = await event.request.formData();
	const version = Number(form.get('version'));
	const caller = serverCaller(event);
	const name = event.params.name;
	let serving: number;
	try {
		serving = (await caller.workers.get({ name })).version;
		await (version < serving ? caller.workers.rollback({ name, version }) : caller.workers.deploy({ name, version }));
	} catch (error) {
		return formFailure(error, 'roll back', { section: 'versions' } as SectionFormState);
	}
	const done = version < serving ? `Version ${version} is serving again.` : `Version ${version} is serving.`;
	return { section: 'versions', done } satisfies SectionFormState;
}

/**
 * The vars form: one row per variable (`var-name`, `var-value`, and `var-remove` naming the rows to remove),
 * plus an empty row for a new one. A variable whose row is gone (renamed, or its row cleared) is removed.
 */
export async function varsFromForm(event: RequestEvent<{ name: string }>) {
	const form = await event.request.formData();
	const names = form.getAll('var-name').map(String);
	const values = form.getAll('var-value').map(String);
	const removed = new Set(form.getAll('var-remove').map(String));
	const previous = form.getAll('var-previous').map(String);
	const vars: Record<string, string | null> = {};
	for (const name of previous) vars[name] = null;
	names.forEach((name, i) => {
		const trimmed = name.trim();
		if (trimmed && !removed.has(trimmed)) vars[trimmed] = values[i] ?? '';
	});
	try {
		await serverCaller(event).workers.settings.update({ name: event.params.name, vars });
	} catch (error) {
		return formFailure(error, 'change settings', { section: 'vars' } as SectionFormState);
	}
	return { section: 'vars', done: 'Variables saved: the next request sees them.' } satisfies SectionFormState;
}

/** Sets a secret (`secret-name`, `secret-value`) or, with `delete`, removes the one it names. */
export async function secretFromForm(event: RequestEvent<{ name: string }>) {
	const form = await event.request.formData();
	const name = String(form.get('secret-name') ?? '').trim();
	const remove = form.has('delete');
	const value = remove ? null : String(form.get('secret-value') ?? '');
	try {
		await serverCaller(event).workers.settings.update({ name: event.params.name, secrets: { [name]: value } });
	} catch (error) {
		return formFailure(error, 'change settings', { section: 'secrets' } as SectionFormState);
	}
	return { section: 'secrets', done: remove ? `Secret ${name} deleted.` : `Secret ${name} set.` } satisfies SectionFormState;
}
