/** Terminal output for the stack runner: progress lines, tables, and each child's lines tagged with its name. */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters as stripAnsi } from 'node:util';

// A terminal's own answer (NO_COLOR, FORCE_COLOR, TERM=dumb); FORCE_COLOR also when piped.
const { FORCE_COLOR } = process.env;
const useColor = process.stdout.isTTY
  ? process.stdout.hasColors()
  : Boolean(FORCE_COLOR && FORCE_COLOR !== '0');
const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : String(text));
export const color = {
  bold: paint('1'),
  dim: paint('2'),
  red: paint('31'),
  green: paint('32'),
  yellow: paint('33'),
};
const NAME_COLORS = ['36', '35', '34', '33', '32'].map(paint);

/** A user-facing problem: its message (and `hint`) is printed without a stack. */
export class StackError extends Error {
  constructor(message, { hint } = {}) {
    super(message);
    this.hint = hint;
  }
}

export const log = {
  step: (msg) => console.log(`${color.bold('›')} ${msg}`),
  ok: (msg) => console.log(`${color.green('✓')} ${msg}`),
  info: (msg) => console.log(`  ${msg}`),
  warn: (msg) => console.log(`${color.yellow('!')} ${msg}`),
  fail: (msg) => console.error(`${color.red('✗')} ${msg}`),
};

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url;
  }
}

/** Prints rows as left-aligned columns, the first row as the header in bold. */
export function printTable(rows) {
  const width = (cell) => stripAnsi(String(cell)).length;
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => width(row[i]))));
  rows.forEach((row, index) => {
    const line = row.map((cell, i) => String(cell) + ' '.repeat(widths[i] - width(cell))).join('  ');
    console.log(`  ${index === 0 ? color.bold(line.trimEnd()) : line.trimEnd()}`);
  });
}

// Loaded on first use, after the install.
let pretty;

/** A pino JSON line as "[HH:MM:ss.l] LEVEL: msg method url status {other fields}"; other text as is. */
export function formatLogLine(line) {
  pretty ??= createRequire(import.meta.url)('pino-pretty').prettyFactory({
    colorize: useColor,
    translateTime: 'UTC:HH:MM:ss.l',
    ignore: 'pid,hostname,name,service,req,res,v',
    singleLine: true,
    messageFormat:
      '{msg}{if req.method} {req.method} {req.url}{end}{if res.statusCode} {res.statusCode}{end}',
  });
  return pretty(line).trimEnd().replace(/ +$/gm, '');
}

/** `attach(name, stream, show)` prints each line `show` accepts as "name | line", names aligned. */
export function createPrefixer(names) {
  const width = Math.max(...names.map((n) => n.length));
  const paints = new Map(names.map((n, i) => [n, NAME_COLORS[i % NAME_COLORS.length]]));
  return {
    attach(name, stream, show = () => true) {
      const prefix = (paints.get(name) ?? color.dim)(name.padEnd(width)) + color.dim(' |');
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (!show(line)) return;
        for (const part of formatLogLine(line).split('\n')) console.log(`${prefix} ${part}`);
      });
    },
  };
}
