/**
 * Checking a URL and `destination` options the way every broker kind does.
 * A kind describes its endpoints once, as data (an `EndpointSpec`: its
 * schemes, a URL to show, what its path may be, a table of options); the
 * check and the options with their defaults are both read from that table,
 * so they cannot drift apart. A check's answer is the API's 422: the field
 * that is wrong (the URL, the options, or one option), what was wrong with
 * it and what to write instead.
 */
import { placeholderProblem, renderTemplate, SAMPLE_VARS } from './template.ts';

/** The field a problem is at: the URL, the options as a whole, or one option (`destination.qos`). */
export type TargetPath = 'url' | 'destination' | `destination.${string}`;

/**
 * What is wrong with an endpoint's `url` or `destination`, as the 422 names
 * it: `path`, and `message` at that path. The message reads on from the path
 * (`destination.qos` "must be 0, 1 or 2, not 3; …"), unless `sentence` is
 * set: then it stands on its own ("AMQP destinations have no option …") and
 * the 422's summary puts it after the path and a colon.
 */
export interface TargetProblem {
  path: TargetPath;
  message: string;
  sentence?: true;
}

/** null when the endpoint may be saved. */
export type CheckProblem = TargetProblem | null;

/** One option of a kind: its type, and what a send uses when it is absent. */
export type OptionRule =
  /** `required`: what is said when it is absent, after its path ("is required: …"); without it, absent means `default`. */
  | { type: 'string'; default: string; required?: string }
  | { type: 'boolean'; default: boolean }
  /** Absent means undefined (no limit). */
  | { type: 'integer'; min: number; max: number }
  /** One of `values`; `hint` follows the refusal and says what the default means. */
  | { type: 'choice'; values: readonly number[]; default: number; hint: string };

export type OptionRules = Readonly<Record<string, OptionRule>>;

type ValueOf<R extends OptionRule> = R extends { type: 'string' }
  ? string
  : R extends { type: 'boolean' }
    ? boolean
    : R extends { type: 'integer' }
      ? number | undefined
      : R extends { type: 'choice'; values: readonly (infer V)[] }
        ? V
        : never;

/** The options a send reads, defaults applied. */
export type OptionValues<R extends OptionRules> = { -readonly [K in keyof R]: ValueOf<R[K]> };

/** A URL scheme of a kind (without the colon) with the port it defaults to and whether it means TLS. */
export type SchemeTable = Readonly<Record<string, { port: number; tls: boolean }>>;

/** The option that says where each message goes: a routing key, stream, subject or topic, as a template. */
export interface NameRule<K extends string> {
  option: K;
  /** Why a rendered name is refused by the protocol, or null. */
  problem(rendered: string): string | null;
  /** How a send whose rendered name is refused names it: `routing key "…"`. */
  label(rendered: string): string;
}

/** What an endpoint of one kind may hold. */
export interface EndpointSpec<R extends OptionRules> {
  /** The kind as messages name it: `AMQP`. */
  kind: string;
  /** Its schemes, in the order the registry lists them. */
  schemes: SchemeTable;
  /** A URL with every part, shown in messages. */
  example: string;
  /** What a URL of another scheme is told, before ", e.g. <example>". */
  schemeHint: string;
  /** Whether the URL may have a path (AMQP's vhost, Redis's database). */
  allowPath: boolean;
  /** The kind's own check of its URL (what the path may be), after the common ones. */
  url?(url: URL): CheckProblem;
  /** The options, in the order they are checked and listed. */
  options: R;
  /** Checks across options, after each option's own and before the name's. */
  more?(options: Record<string, unknown>): CheckProblem;
  name: NameRule<keyof R & string>;
}

/** An endpoint spec, its option table inferred with literal types (`qos: 0 | 1 | 2`). */
export function endpointSpec<const R extends OptionRules>(spec: EndpointSpec<R>): EndpointSpec<R> {
  return spec;
}

/** A problem with the options as a whole, in a sentence of its own. */
export function destinationProblem(message: string): TargetProblem {
  return { path: 'destination', message, sentence: true };
}

/** A problem with the URL as a whole, in a sentence of its own. */
export function urlProblem(message: string): TargetProblem {
  return { path: 'url', message, sentence: true };
}

/** A problem with option `name`, `message` reading on from its path: `destination.exchange` "contains …". */
export function optionProblem(name: string, message: string): TargetProblem {
  return { path: `destination.${name}`, message };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** "0, 1 or 2". */
function either(values: readonly number[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** The options as a send reads them: each from the table, a value of the wrong type as absent. */
export function readOptions<R extends OptionRules>(
  rules: R,
  options: Record<string, unknown>,
): OptionValues<R> {
  const values: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(rules)) values[name] = readOption(rule, options[name]);
  return values as OptionValues<R>;
}

function readOption(rule: OptionRule, value: unknown): unknown {
  switch (rule.type) {
    case 'string':
      return typeof value === 'string' ? value : rule.default;
    case 'boolean':
      return typeof value === 'boolean' ? value : rule.default;
    case 'integer':
      return typeof value === 'number' ? value : undefined;
    case 'choice':
      return rule.values.includes(value as number) ? value : rule.default;
  }
}

/** A problem with option `name`'s value (absent is fine unless the rule requires it). */
function valueProblem(name: string, rule: OptionRule, value: unknown): CheckProblem {
  if (value === undefined) {
    return rule.type === 'string' && rule.required !== undefined ? optionProblem(name, rule.required) : null;
  }
  switch (rule.type) {
    case 'string':
      return typeof value === 'string'
        ? null
        : optionProblem(name, `must be a string, not ${describe(value)}`);
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : optionProblem(name, `must be true or false, not ${describe(value)}`);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max
        ? null
        : optionProblem(
            name,
            `must be a whole number from ${rule.min} to ${rule.max}, not ${describe(value)}`,
          );
    case 'choice':
      return rule.values.includes(value as number)
        ? null
        : optionProblem(name, `must be ${either(rule.values)}, not ${JSON.stringify(value)}; ${rule.hint}`);
  }
}

/** A problem when `options` has a name this kind does not know. */
function unknownOptions(
  options: Record<string, unknown>,
  known: readonly string[],
  kind: string,
): CheckProblem {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      const list = known.map((k) => `"${k}"`).join(', ');
      return destinationProblem(`${kind} destinations have no option "${name}"; the options are ${list}`);
    }
  }
  return null;
}

/**
 * A problem with a name template: an unknown placeholder, or a name the
 * protocol refuses once the placeholders hold sample values.
 */
function templateNameProblem(rule: NameRule<string>, template: string): CheckProblem {
  const placeholder = placeholderProblem(template);
  if (placeholder !== null) return optionProblem(rule.option, placeholder);
  const rendered = renderTemplate(template, SAMPLE_VARS);
  const why = rule.problem(rendered);
  if (why === null) return null;
  const sample = rendered === template ? '' : ` (with sample values: "${rendered}")`;
  return optionProblem(rule.option, `"${template}"${sample} ${why}`);
}

/** Problems every broker URL may have: another scheme, no host, a path or query the kind does not read, a fragment. */
function commonUrlProblem<R extends OptionRules>(url: URL, spec: EndpointSpec<R>): CheckProblem {
  const { kind, example } = spec;
  if (!Object.hasOwn(spec.schemes, url.protocol.slice(0, -1))) {
    return urlProblem(`${spec.schemeHint}, e.g. ${example}`);
  }
  if (url.hostname === '') return urlProblem(`a ${kind} URL needs a host, e.g. ${example}`);
  if (!spec.allowPath && url.pathname !== '' && url.pathname !== '/') {
    return urlProblem(`a ${kind} URL has no path; remove "${url.pathname}" (e.g. ${example})`);
  }
  if (url.search !== '') {
    return urlProblem(
      `${kind} URLs take no query parameters; remove "${url.search}" and put options in destination`,
    );
  }
  if (url.hash !== '') return urlProblem(`remove the fragment "${url.hash}" from the ${kind} URL`);
  return null;
}

/**
 * The first problem with an endpoint, in this order: the URL (common, then
 * the kind's own), unknown options, each option's value, the kind's checks
 * across options, the name template.
 */
export function checkEndpoint<R extends OptionRules>(
  spec: EndpointSpec<R>,
  url: URL,
  options: Record<string, unknown>,
): CheckProblem {
  const checks: (() => CheckProblem)[] = [
    () => commonUrlProblem(url, spec),
    () => spec.url?.(url) ?? null,
    () => unknownOptions(options, Object.keys(spec.options), spec.kind),
    ...Object.entries(spec.options).map(
      ([name, rule]) =>
        () =>
          valueProblem(name, rule, options[name]),
    ),
    () => spec.more?.(options) ?? null,
    () => templateNameProblem(spec.name, String(readOptions(spec.options, options)[spec.name.option])),
  ];
  for (const check of checks) {
    const problem = check();
    if (problem !== null) return problem;
  }
  return null;
}

/** Decoded URL userinfo, or undefined parts: `new URL()` keeps them percent-encoded. */
export function credentialsOf(url: URL): { username: string | undefined; password: string | undefined } {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    username: url.username === '' ? undefined : decode(url.username),
    password: url.password === '' ? undefined : decode(url.password),
  };
}
