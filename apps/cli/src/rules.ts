/**
 * `fathom rules check <file…>` (validate rule files, every problem as `file:line:column: message`)
 * and `fathom rules test <file…>` (run promtool-format rule unit tests with Fathom's evaluator).
 * Both exit non-zero on any problem or failure.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { RuleFileError, parseRuleFile, runRuleTests } from '@fathom/alerts';

export async function rulesCheckCommand(files: readonly string[]): Promise<void> {
  let bad = 0;
  for (const file of files) {
    try {
      const spec = parseRuleFile(basename(file), await readFile(file, 'utf8'));
      const rules = spec.groups.reduce((n, g) => n + g.rules.length, 0);
      process.stdout.write(`${file}: SUCCESS: ${rules} rules found\n`);
    } catch (err) {
      bad++;
      if (err instanceof RuleFileError) for (const p of err.problems) process.stdout.write(`${file}:${p.line}:${p.column}: ${p.message}\n`);
      else process.stdout.write(`${file}: ${(err as Error).message}\n`);
    }
  }
  if (bad > 0) throw new Error(`${bad} of ${files.length} rule files have problems`);
}

export async function rulesTestCommand(files: readonly string[]): Promise<void> {
  let failed = 0;
  for (const file of files) {
    const r = await runRuleTests(file);
    process.stdout.write(`Unit Testing:  ${file}\n`);
    for (const e of r.errors) process.stdout.write(`  ERROR: ${e}\n`);
    for (const t of r.tests) {
      if (t.failures.length === 0) continue;
      process.stdout.write(`  FAILED:\n    name: ${t.name},\n`);
      for (const f of t.failures) process.stdout.write(`    ${f}\n`);
    }
    if (r.ok) process.stdout.write('  SUCCESS\n');
    else failed++;
  }
  if (failed > 0) throw new Error(`rule tests failed in ${failed} of ${files.length} files`);
}
