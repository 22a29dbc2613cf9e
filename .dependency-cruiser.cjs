// The rules of the architecture check (`npm run check:architecture`, which `npm run lint` runs):
// no service imports another, no import cycles, and @glotixz/common is used only through the
// entries of its package.json exports map. Paths are relative to the repository root.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const SERVICES = ['auth', 'tickets', 'orders', 'payments', 'expiration', 'notifications'];
// Absolute: TypeScript finds no inputs for a relative tsconfig path given from another folder.
const CLIENT_TSCONFIG = resolve('client', 'tsconfig.json');
/** The folders whose sources are checked. */
const SOURCE_ROOTS = ['common', ...SERVICES, 'client', 'e2e', 'scripts'];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The subpaths common's exports map names: `''` (the package itself), `bus`, `events`, ... */
const commonSubpaths = Object.keys(require(join(__dirname, 'common', 'package.json')).exports)
  .map((key) => key.replace(/^\.\/?/, ''))
  .filter((subpath) => subpath !== 'package.json');

/** The built files those entries resolve to, e.g. `common/dist/bus/index.d.ts`. */
const entryFiles = commonSubpaths.map((subpath) =>
  escapeRegExp(subpath === '' ? 'index' : `${subpath}/index`),
);
const publicCommon = `^common/dist/(${entryFiles.join('|')})[.](js|d[.]ts)$`;

/** `@glotixz/common/<x>` where x is not an entry; the build need not exist to tell. */
const namedSubpaths = commonSubpaths.filter((subpath) => subpath !== '').map(escapeRegExp);
const deepSpecifier = `^@glotixz/common/(?!(${[...namedSubpaths, 'package[.]json'].join('|')})$)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...SERVICES.map((service) => ({
      name: `no-service-to-service`,
      comment: `${service} imports another service's files; services talk only through events and HTTP`,
      severity: 'error',
      from: { path: `^${service}/` },
      to: { path: `^(${SERVICES.filter((s) => s !== service).join('|')})/` },
    })),
    {
      name: 'no-common-internals',
      comment:
        "a module outside common reaches into common's files by path; import an entry of its exports map " +
        '(@glotixz/common, @glotixz/common/bus, ...) instead',
      severity: 'error',
      from: { pathNot: '^common/' },
      to: { path: '^common/', pathNot: [publicCommon, '^common/package[.]json$'] },
    },
    {
      name: 'no-common-internals',
      comment:
        "an import of @glotixz/common/<path> that common's exports map does not name; import an " +
        'entry of the map (@glotixz/common, @glotixz/common/bus, ...) instead',
      severity: 'error',
      from: {},
      to: { path: deepSpecifier },
    },
    {
      name: 'no-circular',
      comment: 'an import cycle; move what both sides need into a module of its own',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // An unresolved `@glotixz/common/<path>` stays in, for the rule on deep specifiers.
    includeOnly: `^(${[...SOURCE_ROOTS, '@glotixz'].join('|')})/`,
    // common's build is kept in the graph, unfollowed, so a relative import of its files is seen;
    // names starting with @ are package specifiers that did not resolve, never folders.
    exclude: {
      path: ['(^|/)(node_modules|[.]next|coverage)/', '^(?!common/)[^@]*/dist/', '^[.](data|git)/'],
    },
    doNotFollow: { path: ['(^|/)node_modules/', '^common/dist/'] },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
    // The client's `@/*` alias (its tsconfig's baseUrl and paths).
    ...(existsSync(CLIENT_TSCONFIG) ? { tsConfig: { fileName: CLIENT_TSCONFIG } } : {}),
  },
};
