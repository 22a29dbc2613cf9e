import { z } from 'zod';
import { invalidParam } from './stripe-error';

/**
 * A form body or query string as qs parses it (`express.urlencoded({ extended: true })` and the
 * extended query parser): Stripe's SDK encodes nested parameters in qs's bracket syntax
 * (`metadata[orderId]=...`, `expand[0]=latest_charge`).
 */
export type FormBody = Record<string, unknown>;

/** Metadata as Stripe stores it: string keys and values. */
export type Metadata = Record<string, string>;

/** A metadata update: the values sent, and whether `metadata=` (an empty string) cleared them all. */
export interface MetadataUpdate {
  values: Metadata;
  cleared: boolean;
}

/** A parameter's schema: what it reads from the parsed form. */
type Field<T> = z.ZodType<T>;
type Hash<S extends z.core.$ZodLooseShape> = z.output<z.ZodObject<S, z.core.$strict>>;

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;

const isHash = (value: unknown): value is FormBody =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** What is wrong with a parameter: Stripe's message (`{name}` stands for the parameter) and code. */
class Problem {
  constructor(
    readonly message: string,
    readonly code?: string,
    readonly path: string[] = [],
  ) {}
}

const MISSING = new Problem('Missing required param: {name}.', 'parameter_missing');
const EMPTY = new Problem(
  "You passed an empty string for '{name}'. We assume empty values are an attempt to unset a parameter; " +
    "however '{name}' cannot be unset. You should remove '{name}' from your request or supply a non-empty value.",
  'parameter_invalid_empty',
);

/** A parameter read by `read`, whose {@link Problem} becomes the zod issue {@link parseParams} reports. */
function param<T>(read: (value: unknown) => T | Problem) {
  return z.unknown().transform((value, ctx) => {
    const result = read(value);
    if (!(result instanceof Problem)) return result;
    const { message, code, path } = result;
    ctx.issues.push({ code: 'custom', message, params: { stripeCode: code }, path, input: value });
    return z.NEVER;
  });
}

interface Presence {
  /** Refuse the request without it (`parameter_missing`) or with an empty string. */
  required?: boolean;
}
/** What a field reads: `T`, or undefined too unless it is required. */
type Read<T, O> = Field<O extends { required: true } ? T : T | undefined>;

/** Absent (or an empty string, Stripe's "unset") reads as undefined, or is refused when required. */
function field<T, O extends Presence>(
  options: O | undefined,
  read: (value: unknown) => T | Problem,
  empty = EMPTY,
) {
  const schema = param((value) => {
    if (value === undefined) return MISSING;
    if (value === '') return options?.required ? empty : undefined;
    return read(value);
  });
  // Zod refuses an absent key whose schema answers undefined unless the schema is optional.
  return (options?.required ? schema : schema.optional()) as Read<T, O>;
}

const readString = (value: unknown) =>
  typeof value === 'string' ? value : new Problem(`Invalid string: ${show(value)}`);

/** A string. */
export const string = <O extends Presence>(options?: O) => field<string, O>(options, readString);

/** A string that may be unset: absent is undefined, an empty string null. */
export const nullableString = () => param((value) => (value === '' ? null : readString(value))).optional();

/** One of a fixed set of strings. */
export const oneOf = <const T extends string, O extends Presence>(values: readonly T[], options?: O) =>
  field<T, O>(options, (value) =>
    typeof value === 'string' && (values as readonly string[]).includes(value)
      ? (value as T)
      : new Problem(`Invalid {name}: must be one of ${values.join(', ')}`),
  );

/** An integer written in decimal digits, within bounds. */
export const integer = <O extends Presence & { min?: number; max?: number }>(options?: O) =>
  field<number, O>(options, (value) => {
    if (typeof value !== 'string' || !/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      return new Problem(`Invalid integer: ${show(value)}`, 'parameter_invalid_integer');
    }
    const [number, min, max] = [Number(value), options?.min, options?.max];
    if (min !== undefined && number < min) {
      return new Problem(`This value must be greater than or equal to ${min}.`, 'parameter_invalid_integer');
    }
    if (max !== undefined && number > max) {
      return new Problem(`This value must be less than or equal to ${max}.`, 'parameter_invalid_integer');
    }
    return number;
  });

/** `true` or `false`; an empty string reads as absent. */
export const boolean = <O extends Presence>(options?: O) =>
  field<boolean, O>(
    options,
    (value) =>
      value === 'true' || value === 'false'
        ? value === 'true'
        : new Problem(`Invalid boolean: ${show(value)}`),
    MISSING,
  );

/** A nested hash (`card[number]=...`) of the parameters in `shape`, refusing any other. */
export function hash<S extends z.core.$ZodLooseShape, O extends Presence>(shape: S, options?: O) {
  const object = z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? `Invalid hash: ${show(issue.input)}` : undefined),
  });
  const absent = (value: unknown) => (value === '' ? undefined : value);
  return z.preprocess(absent, options?.required ? object : object.optional()) as Read<Hash<S>, O>;
}

/** An array of strings (`payment_method_types[0]=card`; qs reads a long or sparse one as a hash). */
export const stringArray = () =>
  field<string[], Presence>(undefined, (value) => {
    const items = Array.isArray(value)
      ? (value as unknown[])
      : isHash(value)
        ? Object.values(value)
        : undefined;
    return items?.every((item) => typeof item === 'string')
      ? items
      : new Problem(`Invalid array: ${show(value)}`);
  });

/** `expand[]=latest_charge`: the fields to expand (none when absent), refusing any not in `expandable`. */
export const expand = (expandable: readonly string[]) =>
  stringArray().transform((fields, ctx) => {
    const field = fields?.find((name) => !expandable.includes(name));
    if (field === undefined) return fields ?? [];
    ctx.issues.push({
      code: 'custom',
      message: `This property cannot be expanded (${field}).`,
      input: fields,
    });
    return z.NEVER;
  });

/**
 * Metadata: a hash of strings within Stripe's limits. Empty values are kept so that an update
 * can delete keys; `metadata=` (an empty string) reads as `{}` with `cleared` set.
 */
export const metadata = () =>
  param((value): MetadataUpdate | Problem => {
    if (value === '') return { values: {}, cleared: true };
    if (!isHash(value)) return new Problem(`Invalid hash: ${show(value)}`);
    const entries = Object.entries(value);
    if (entries.length > METADATA_MAX_KEYS)
      return new Problem(`Metadata can have up to ${METADATA_MAX_KEYS} keys.`);
    for (const [key, item] of entries) {
      if (typeof item !== 'string') return new Problem(`Invalid string: ${show(item)}`, undefined, [key]);
      if (key.length > METADATA_KEY_MAX) {
        const message = `Metadata keys can have up to ${METADATA_KEY_MAX} characters, but you passed in a key that is ${key.length} characters.`;
        return new Problem(message, undefined, [key]);
      }
      if (item.length > METADATA_VALUE_MAX) {
        const message = `Metadata values can have up to ${METADATA_VALUE_MAX} characters, but you passed in a value that is ${item.length} characters.`;
        return new Problem(message, undefined, [key]);
      }
    }
    return { values: value as Metadata, cleared: false };
  }).optional();

/** A parameter's name as Stripe writes it in errors: `automatic_payment_methods[enabled]`. */
const nameOf = (path: readonly PropertyKey[]) =>
  path.map((key, i) => (i === 0 ? String(key) : `[${String(key)}]`)).join('');

/**
 * Reads a route's parameters (a body that is not a hash counts as empty) with its schema, a
 * `z.strictObject` of the fields above. The first problem is answered as Stripe answers it: an
 * unknown parameter first (`parameter_unknown`), then in the schema's order (`parameter_missing`,
 * `parameter_invalid_empty`, `parameter_invalid_integer` or a message alone), naming nested
 * parameters the way Stripe does.
 */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(isHash(input) ? input : {}, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const name = nameOf([...issue.path, issue.keys[0]!]);
    throw invalidParam(name, `Received unknown parameter: ${name}`, 'parameter_unknown');
  }
  const name = nameOf(issue.path);
  const problem =
    issue.code === 'custom'
      ? new Problem(issue.message, (issue.params as { stripeCode?: string } | undefined)?.stripeCode)
      : issue.input === undefined
        ? MISSING
        : new Problem(issue.message);
  throw invalidParam(name, problem.message.replaceAll('{name}', name), problem.code);
}

/** Applies a metadata update the way Stripe does: merge, `''` deletes a key, `metadata=` clears all. */
export function mergeMetadata(current: Metadata, update: MetadataUpdate): Metadata {
  const next: Metadata = update.cleared ? {} : { ...current };
  for (const [key, value] of Object.entries(update.values)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** New metadata on create: empty values are dropped. */
export function initialMetadata(update: { values: Metadata } | undefined): Metadata {
  return mergeMetadata({}, { values: update?.values ?? {}, cleared: true });
}
