/**
 * Checking a URL and `destination` options the way every broker kind does:
 * the answer is the 422's message, so it names the option, what was wrong
 * with it and what to write instead.
 */
import type { DestinationKind } from './port.ts';
import { renderTemplate, SAMPLE_VARS, templateProblem } from './template.ts';

export type CheckProblem = ReturnType<DestinationKind['check']>;

export function destinationProblem(message: string): CheckProblem {
  return { path: 'destination', message };
}

export function urlProblem(message: string): CheckProblem {
  return { path: 'url', message };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A problem when `options` has a name this kind does not know. */
export function unknownOptions(
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

/** A problem when option `name` is present and not a string. */
export function notAString(options: Record<string, unknown>, name: string): CheckProblem {
  const value = options[name];
  if (value === undefined || typeof value === 'string') return null;
  return destinationProblem(`destination.${name} must be a string, not ${describe(value)}`);
}

/** A problem when option `name` is present and not a boolean. */
export function notABoolean(options: Record<string, unknown>, name: string): CheckProblem {
  const value = options[name];
  if (value === undefined || typeof value === 'boolean') return null;
  return destinationProblem(`destination.${name} must be true or false, not ${describe(value)}`);
}

/** A problem when option `name` is present and not an integer in [min, max]. */
export function notAnInteger(
  options: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): CheckProblem {
  const value = options[name];
  if (value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return null;
  return destinationProblem(
    `destination.${name} must be a whole number from ${min} to ${max}, not ${describe(value)}`,
  );
}

/**
 * A problem with a name template: an unknown placeholder, or a name the
 * protocol refuses once the placeholders hold sample values. `invalid`
 * answers why a rendered name is refused, or null.
 */
export function templateNameProblem(
  name: string,
  template: string,
  invalid: (rendered: string) => string | null,
): CheckProblem {
  const placeholder = templateProblem(`destination.${name}`, template);
  if (placeholder !== null) return destinationProblem(placeholder);
  const rendered = renderTemplate(template, SAMPLE_VARS);
  const why = invalid(rendered);
  if (why === null) return null;
  const sample = rendered === template ? '' : ` (with sample values: "${rendered}")`;
  return destinationProblem(`destination.${name} "${template}"${sample} ${why}`);
}

/** Problems every broker URL may have: no host, a path or query the kind does not read, a fragment. */
export function commonUrlProblem(url: URL, kind: string, example: string, allowPath: boolean): CheckProblem {
  if (url.hostname === '') return urlProblem(`a ${kind} URL needs a host, e.g. ${example}`);
  if (!allowPath && url.pathname !== '' && url.pathname !== '/') {
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

/** The first problem of several checks, in order. */
export function firstProblem(...checks: (() => CheckProblem)[]): CheckProblem {
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
