// Small Worker projects written to disk for the tests of `wfp deploy` and the UI's folder upload.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes `files` (path -> content) into the folder `root/name` and returns that folder. */
export function writeProject(root: string, name: string, files: Record<string, string>): string {
	const directory = join(root, name);
	for (const [path, content] of Object.entries(files)) {
		mkdirSync(dirname(join(directory, path)), { recursive: true });
		writeFileSync(join(directory, path), content);
	}
	return directory;
}
