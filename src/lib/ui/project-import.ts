// Reading a folder (an <input webkitdirectory>'s files) or a zip in the browser into a project for the
// editor. The bounds are checked on the sizes the browser and the zip directory report, before any
// content is read or inflated, so a huge folder or a zip bomb is refused without using the memory.
import { unzipSync } from 'fflate';
import { IMPORT_LIMITS, importSizeProblem, isSkippedPath, projectFromFiles, type ImportedProject } from './project-files';

/** The files of a folder picked with webkitdirectory (their paths start with the folder's name). */
export async function projectFromFolder(files: FileList | File[]): Promise<ImportedProject | string> {
	const kept = [...files].filter((file) => !isSkippedPath(pathOf(file)));
	if (kept.length === 0) return 'the folder has no files (node_modules, .git and dotfiles are left out)';
	const tooBig = importSizeProblem(
		kept.length,
		kept.reduce((sum, file) => sum + file.size, 0)
	);
	if (tooBig) return tooBig;
	const read = await Promise.all(kept.map(async (file) => ({ path: pathOf(file), bytes: new Uint8Array(await file.arrayBuffer()) })));
	return projectFromFiles(read);
}

const pathOf = (file: File) => file.webkitRelativePath || file.name;

/** A .zip's files. Folders, skipped paths and anything past the bounds are never inflated. */
export async function projectFromZip(zip: File): Promise<ImportedProject | string> {
	if (zip.size > IMPORT_LIMITS.bytes) return importSizeProblem(0, zip.size)!;
	const bytes = new Uint8Array(await zip.arrayBuffer());
	let count = 0;
	let total = 0;
	let problem: string | null = null;
	let entries: Record<string, Uint8Array>;
	try {
		entries = unzipSync(bytes, {
			filter(entry) {
				if (entry.name.endsWith('/') || isSkippedPath(entry.name)) return false;
				count += 1;
				total += entry.originalSize;
				problem ??= importSizeProblem(count, total);
				return problem === null;
			}
		});
	} catch (error) {
		return `${zip.name} could not be read as a zip: ${error instanceof Error ? error.message : String(error)}`;
	}
	if (problem) return problem;
	const files = Object.entries(entries).map(([path, content]) => ({ path, bytes: content }));
	if (files.length === 0) return `${zip.name} has no files (node_modules, .git and dotfiles are left out)`;
	return projectFromFiles(files);
}
