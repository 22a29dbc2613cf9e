import { invalidParam, type StripeApiError } from './stripe-error';

/** A form body or query string as `express.urlencoded({ extended: true })` parses it. */
export type FormBody = Record<string, unknown>;

/** Metadata as Stripe stores it: string keys and values. */
export type Metadata = Record<string, string>;

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;

function isHash(value: unknown): value is FormBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Reads Stripe-style form parameters (`amount=1000&metadata[orderId]=...`) with Stripe's error
 * messages, naming nested parameters the way Stripe does (`automatic_payment_methods[enabled]`).
 * Unknown parameters are refused, as Stripe refuses them, so a client bug shows up here first.
 */
export class Params {
  private constructor(
    private readonly body: FormBody,
    private readonly prefix: string,
  ) {}

  /** Wraps a parsed body (anything that is not a hash counts as empty) and refuses keys not in `allowed`. */
  static of(body: unknown, allowed: readonly string[], prefix = ''): Params {
    const params = new Params(isHash(body) ? body : {}, prefix);
    for (const key of Object.keys(params.body)) {
      if (!allowed.includes(key)) {
        throw invalidParam(
          params.name(key),
          `Received unknown parameter: ${params.name(key)}`,
          'parameter_unknown',
        );
      }
    }
    return params;
  }

  /** The parameter's name as Stripe writes it in errors. */
  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  /** Whether the parameter was sent at all (an empty string counts). */
  has(key: string): boolean {
    return this.body[key] !== undefined;
  }

  private missing(key: string): StripeApiError {
    return invalidParam(this.name(key), `Missing required param: ${this.name(key)}.`, 'parameter_missing');
  }

  private empty(key: string): StripeApiError {
    const name = this.name(key);
    return invalidParam(
      name,
      `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; ` +
        `however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
      'parameter_invalid_empty',
    );
  }

  /** A string; an empty string reads as absent (Stripe's "unset"), or is refused when required. */
  string(key: string, options: { required?: boolean; maxLength?: number } = {}): string | undefined {
    const value = this.body[key];
    if (value === undefined) {
      if (options.required) throw this.missing(key);
      return undefined;
    }
    if (typeof value !== 'string') throw invalidParam(this.name(key), `Invalid string: ${show(value)}`);
    if (value === '') {
      if (options.required) throw this.empty(key);
      return undefined;
    }
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      throw invalidParam(
        this.name(key),
        `Invalid string: ${value.slice(0, 20)}...; must be at most ${options.maxLength} characters`,
      );
    }
    return value;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(
    key: string,
    values: readonly T[],
    options: { required?: boolean } = {},
  ): T | undefined {
    const value = this.string(key, options);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw invalidParam(this.name(key), `Invalid ${this.name(key)}: must be one of ${values.join(', ')}`);
    }
    return value as T;
  }

  /** An integer written in decimal digits, within bounds. */
  integer(key: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const value = this.body[key];
    if (value === undefined || value === '') {
      if (value === '' && options.required) throw this.empty(key);
      if (options.required) throw this.missing(key);
      return undefined;
    }
    if (typeof value !== 'string' || !/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw invalidParam(this.name(key), `Invalid integer: ${show(value)}`, 'parameter_invalid_integer');
    }
    const number = Number(value);
    if (options.min !== undefined && number < options.min) {
      throw invalidParam(
        this.name(key),
        `This value must be greater than or equal to ${options.min}.`,
        'parameter_invalid_integer',
      );
    }
    if (options.max !== undefined && number > options.max) {
      throw invalidParam(
        this.name(key),
        `This value must be less than or equal to ${options.max}.`,
        'parameter_invalid_integer',
      );
    }
    return number;
  }

  /** `true` or `false`. */
  boolean(key: string, options: { required?: boolean } = {}): boolean | undefined {
    const value = this.body[key];
    if (value === undefined || value === '') {
      if (options.required) throw this.missing(key);
      return undefined;
    }
    if (value !== 'true' && value !== 'false') {
      throw invalidParam(this.name(key), `Invalid boolean: ${show(value)}`);
    }
    return value === 'true';
  }

  /** A nested hash (`card[number]=...`), itself refusing keys outside `allowed`. */
  hash(key: string, allowed: readonly string[], options: { required?: boolean } = {}): Params | undefined {
    const value = this.body[key];
    if (value === undefined || value === '') {
      if (options.required) throw this.missing(key);
      return undefined;
    }
    if (!isHash(value)) throw invalidParam(this.name(key), `Invalid hash: ${show(value)}`);
    return Params.of(value, allowed, this.name(key));
  }

  /** An array of strings (`payment_method_types[0]=card`). */
  stringArray(key: string): string[] | undefined {
    const value = this.body[key];
    if (value === undefined || value === '') return undefined;
    const items = Array.isArray(value)
      ? (value as unknown[])
      : isHash(value)
        ? Object.values(value)
        : undefined;
    if (!items || !items.every((item): item is string => typeof item === 'string')) {
      throw invalidParam(this.name(key), `Invalid array: ${show(value)}`);
    }
    return items;
  }

  /**
   * Metadata: a hash of strings within Stripe's limits. Empty values are kept so that an update
   * can delete keys; `metadata=` (an empty string) reads as `{}` with `cleared` set.
   */
  metadata(key = 'metadata'): { values: Metadata; cleared: boolean } | undefined {
    const value = this.body[key];
    if (value === undefined) return undefined;
    if (value === '') return { values: {}, cleared: true };
    if (!isHash(value)) throw invalidParam(this.name(key), `Invalid hash: ${show(value)}`);
    const entries = Object.entries(value);
    if (entries.length > METADATA_MAX_KEYS) {
      throw invalidParam(this.name(key), `Metadata can have up to ${METADATA_MAX_KEYS} keys.`);
    }
    const values: Metadata = {};
    for (const [name, item] of entries) {
      const param = `${this.name(key)}[${name}]`;
      if (typeof item !== 'string') throw invalidParam(param, `Invalid string: ${show(item)}`);
      if (name.length > METADATA_KEY_MAX) {
        throw invalidParam(
          param,
          `Metadata keys can have up to ${METADATA_KEY_MAX} characters, but you passed in a key that is ${name.length} characters.`,
        );
      }
      if (item.length > METADATA_VALUE_MAX) {
        throw invalidParam(
          param,
          `Metadata values can have up to ${METADATA_VALUE_MAX} characters, but you passed in a value that is ${item.length} characters.`,
        );
      }
      values[name] = item;
    }
    return { values, cleared: false };
  }

  /** `expand[]=latest_charge`: the fields to expand, refusing any not in `expandable`. */
  expand(expandable: readonly string[]): string[] {
    const fields = this.stringArray('expand') ?? [];
    for (const field of fields) {
      if (!expandable.includes(field)) {
        throw invalidParam('expand', `This property cannot be expanded (${field}).`);
      }
    }
    return fields;
  }
}

/** Applies a metadata update the way Stripe does: merge, `''` deletes a key, `metadata=` clears all. */
export function mergeMetadata(current: Metadata, update: { values: Metadata; cleared: boolean }): Metadata {
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
