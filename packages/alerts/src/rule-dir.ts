/**
 * The rules directory: every `*.yml`/`*.yaml` in it is a rule file; files put through the API are
 * written there (temporary file, fsync, rename) and deleted from there.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@fathom/kit';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ya?ml$/;

/** A file name the API accepts: letters, digits, `.`, `_`, `-`, ending in .yml or .yaml. */
export function isValidRuleFileName(name: string): boolean {
  return NAME_RE.test(name) && !name.includes('..');
}

export class RuleDir {
  constructor(readonly dir: string) {}

  async list(): Promise<{ name: string; text: string }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: { name: string; text: string }[] = [];
    for (const name of names.filter(isValidRuleFileName).sort()) out.push({ name, text: await readFile(join(this.dir, name), 'utf8') });
    return out;
  }

  async write(name: string, text: string): Promise<void> {
    await writeFileAtomic(join(this.dir, name), text);
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }
}
