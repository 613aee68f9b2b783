/**
 * JSON Schemas of event type versions, compiled once and reused: compiling is
 * far slower than validating, and ingest validates every event. Entries are
 * keyed by type, version and the type's `updatedAt`, so a changed catalog
 * entry is compiled afresh.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { EventType } from '../domain/types.ts';
import { linearRegExp } from './linear-regexp.ts';
import { MAX_PAYLOAD_ERRORS, schemaTooComplex, useLinearUniqueItems } from './schema-guards.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (formatsModule as unknown as { default?: AddFormats }).default ?? (formatsModule as unknown as AddFormats);

export interface PayloadError {
  /** Where in the event: `data`, `data.items[0].sku`. */
  path: string;
  message: string;
}

export interface PayloadSchemas {
  /** null when the schema is a valid JSON Schema, else what is wrong with it. */
  checkSchema(schema: Record<string, unknown>): string | null;
  /** Validates `data` against a version's schema; [] when it passes or there is no schema. */
  validate(type: EventType, version: number, data: unknown): PayloadError[];
  /** Validates against a schema not (yet) in the catalog, e.g. an example on create. */
  validateWith(schema: Record<string, unknown>, data: unknown): PayloadError[];
}

const MAX_CACHED = 2000;

function newAjv(): Ajv {
  // Patterns run on RE2 (linear time): schemas come from API users and are matched against every event.
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    validateFormats: true,
    code: { regExp: linearRegExp },
  });
  addFormats(ajv);
  useLinearUniqueItems(ajv);
  return ajv;
}

function toPath(pointer: string): string {
  let path = 'data';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return path;
}

export function describePayloadErrors(errors: ErrorObject[] | null | undefined): PayloadError[] {
  const out: PayloadError[] = [];
  for (const e of (errors ?? []).slice(0, MAX_PAYLOAD_ERRORS)) {
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      out.push({
        path: toPath(`${e.instancePath}/${String(params.missingProperty)}`),
        message: 'is required',
      });
    } else if (e.keyword === 'additionalProperties') {
      out.push({
        path: toPath(`${e.instancePath}/${String(params.additionalProperty)}`),
        message: 'is not allowed by the event type schema',
      });
    } else {
      out.push({ path: toPath(e.instancePath), message: e.message ?? 'is not valid' });
    }
  }
  return out;
}

export function createPayloadSchemas(): PayloadSchemas {
  // A fresh Ajv per compiled schema: schemas may carry an `$id`, and one Ajv
  // instance refuses a second schema with the same `$id`.
  const cache = new Map<string, ValidateFunction>();

  function compile(schema: Record<string, unknown>): ValidateFunction {
    // Also for schemas stored before creation checked this: they are refused per event, with the reason.
    const tooComplex = schemaTooComplex(schema);
    if (tooComplex !== null) throw new Error(tooComplex);
    return newAjv().compile(schema);
  }

  function cached(type: EventType, version: number, schema: Record<string, unknown>): ValidateFunction {
    const key = `${type.name}@${version}:${type.updatedAt}`;
    let fn = cache.get(key);
    if (!fn) {
      fn = compile(schema);
      if (cache.size >= MAX_CACHED) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(key, fn);
    }
    return fn;
  }

  return {
    checkSchema(schema) {
      const tooComplex = schemaTooComplex(schema);
      if (tooComplex !== null) return tooComplex;
      const ajv = newAjv();
      if (!ajv.validateSchema(schema)) {
        return ajv.errorsText(ajv.errors, { dataVar: 'schema' });
      }
      try {
        ajv.compile(schema);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    validate(type, version, data) {
      const schema = type.versions.find((v) => v.version === version)?.schema ?? null;
      if (schema === null) return [];
      let fn: ValidateFunction;
      try {
        fn = cached(type, version, schema);
      } catch (err) {
        // Stored before creation checked it (e.g. a lookahead, which RE2 cannot run): refuse the
        // event with a reason rather than fail every request of the type.
        const reason = (err as Error).message;
        return [
          {
            path: 'data',
            message: `cannot be checked: the schema of '${type.name}' version ${version} cannot be compiled (${reason}); add a version with a corrected schema`,
          },
        ];
      }
      return fn(data) ? [] : describePayloadErrors(fn.errors);
    },
    validateWith(schema, data) {
      const fn = compile(schema);
      return fn(data) ? [] : describePayloadErrors(fn.errors);
    },
  };
}
