// The layer rule in eslint.config.mjs is by folder: a file under a feature's core/ (or
// common/, webview/contract/) may not import vscode or editor glue, wherever it is and
// whatever its name. The fixture is linted as if it sat at those places.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..');
const fixture = readFileSync(path.join(__dirname, 'fixtures', 'boundaries', 'violation.ts.txt'), 'utf8');

async function problems(asIf: string): Promise<{ rule: string | null; line: number }[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(fixture, { filePath: path.join(root, asIf) });
  return result!.messages.map((m) => ({ rule: m.ruleId, line: m.line }));
}

describe('layer boundaries (eslint.config.mjs)', function () {
  this.timeout(60_000);

  it('a new file in a core/ folder may not import vscode, a tree or src/vscode', async () => {
    const found = await problems('src/kube/core/brandNewModule.ts');
    assert.deepEqual(
      found.map((p) => `${p.line}:${p.rule}`).sort(),
      ['2:no-restricted-imports', '3:boundaries/dependencies', '4:boundaries/dependencies'].sort(),
    );
  });

  it('the same holds in a nested core folder and in common/', async () => {
    assert.ok((await problems('src/experiments/core/mlflow/newStore.ts')).some((p) => p.rule === 'no-restricted-imports'));
    const common = await problems('src/common/newHelper.ts');
    assert.ok(common.some((p) => p.rule === 'no-restricted-imports'), JSON.stringify(common));
  });

  it('editor glue may import all of it', async () => {
    assert.deepEqual(await problems('src/kube/newCommand.ts'), []);
  });
});
