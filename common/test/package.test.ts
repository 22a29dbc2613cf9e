import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

interface PackResult {
  files: { path: string }[];
}

describe('the published package', () => {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types: string; default: string }>;
  };
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
  ) as PackResult[];
  const files = new Set(pack?.files.map((f) => f.path));

  it('ships every entry point of the exports map with its types', () => {
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect({ entry, found: files.has(target.default.replace(/^\.\//, '')) }).toEqual({
        entry,
        found: true,
      });
      expect({ entry, found: files.has(target.types.replace(/^\.\//, '')) }).toEqual({ entry, found: true });
    }
  });

  it('ships no tests and no sources', () => {
    expect([...files].filter((f) => /\.test\.|^src\/|^test\//.test(f))).toEqual([]);
  });
});
