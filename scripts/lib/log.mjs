/**
 * Terminal output for the local stack runner: progress lines, a status table, and the prefixer
 * that tags every line a child process writes with its name (pino JSON lines are shortened to
 * "time level msg" plus the useful fields).
 */
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

/** A thrown StackError is a user-facing problem: its message is printed without a stack. */
export class StackError extends Error {
  constructor(message, { hint } = {}) {
    super(message);
    this.name = 'StackError';
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

/** Prints rows as left-aligned columns; the first row is the header. */
export function printTable(rows, indent = '  ') {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => stripAnsi(String(r[i])).length)));
  rows.forEach((row, index) => {
    const line = row
      .map((cell, i) => String(cell) + ' '.repeat(widths[i] - stripAnsi(String(cell)).length))
      .join('  ')
      .trimEnd();
    console.log(indent + (index === 0 ? color.bold(line) : line));
  });
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS = { 40: color.yellow, 50: color.red, 60: color.red };
const OMITTED_KEYS = new Set([
  'level',
  'time',
  'msg',
  'pid',
  'hostname',
  'name',
  'service',
  'req',
  'res',
  'err',
  'v',
]);

/** Renders one pino JSON line as "HH:MM:SS.mmm LEVEL msg key=value …"; other text is returned as is. */
export function formatLogLine(line) {
  if (!line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry?.level !== 'number') return line;

  const time = new Date(entry.time ?? Date.now()).toISOString().slice(11, 23);
  const levelName = (LEVELS[entry.level] ?? String(entry.level)).padEnd(5);
  const level = (LEVEL_COLORS[entry.level] ?? color.dim)(levelName);
  const parts = [color.dim(time), level, entry.msg ?? ''];

  if (entry.req?.method) parts.push(`${entry.req.method} ${entry.req.url ?? ''}`);
  if (entry.res?.statusCode) parts.push(String(entry.res.statusCode));
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED_KEYS.has(key) || value === null || typeof value === 'object') continue;
    parts.push(color.dim(`${key}=${value}`));
  }
  let text = parts.filter((p) => p !== '').join(' ');
  if (entry.err) {
    const err = entry.err;
    text += `\n${err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? JSON.stringify(err)}`}`;
  }
  return text;
}

/**
 * Returns a prefixer for named child processes: `attach(name, stream)` prints each line of the
 * stream as "name | line", names padded to a common width and coloured consistently.
 */
export function createPrefixer(names) {
  const width = Math.max(...names.map((n) => n.length));
  const paints = new Map(names.map((n, i) => [n, NAME_COLORS[i % NAME_COLORS.length]]));
  return {
    prefix(name) {
      return (paints.get(name) ?? color.dim)(name.padEnd(width)) + color.dim(' |');
    },
    /** Prints each line of `stream` as "name | line", those `show` accepts. */
    attach(name, stream, show = () => true) {
      const prefix = this.prefix(name);
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (!show(line)) return;
        for (const part of formatLogLine(line).split('\n')) console.log(`${prefix} ${part}`);
      });
    },
  };
}
