/**
 * The API's JSON Schema validator settings, in one place for the HTTP routes
 * and for embedding (which must refuse exactly what the API refuses).
 */
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { linearRegExp } from '../delivery/linear-regexp.ts';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (formatsModule as unknown as { default?: AddFormats }).default ?? (formatsModule as unknown as AddFormats);

/**
 * `coerce`: query strings and path params arrive as text and are coerced to
 * the schema's types; JSON bodies are taken as sent (`coerce: false`), so
 * `"5"` is not silently accepted where a number is expected. Unknown
 * properties are never stripped: schemas refuse them, and the answer names them.
 * Patterns run on RE2 like event type schemas' (see delivery/linear-regexp.ts),
 * so no route schema can be slow on a crafted value either; `verbose` keeps
 * each failing schema, so range errors can name both bounds.
 */
export function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
    allErrors: true,
    strict: false,
    verbose: true,
    code: { regExp: linearRegExp },
  });
  addFormats(ajv);
  return ajv;
}
