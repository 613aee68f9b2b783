/**
 * Names users choose: event type names and resource ids. Validators answer
 * null when the name is fine, else a message saying what is wrong and how to
 * fix it, so the API and the config loader can report it as given.
 */

/** Dot-separated segments; the first starts with a letter: `device.enrolled`, `blogPost.update`. */
export const EVENT_TYPE_NAME = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
export const EVENT_TYPE_NAME_MAX_LENGTH = 128;

/** A resource (a vehicle, a device): ids from the platform's own systems, so `.`, `:` and `@` are allowed. */
export const RESOURCE_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

export function validateEventTypeName(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) {
    return 'an event type name is required, e.g. "device.enrolled"';
  }
  if (name.length > EVENT_TYPE_NAME_MAX_LENGTH) {
    return `event type name is ${name.length} characters long; use at most ${EVENT_TYPE_NAME_MAX_LENGTH}`;
  }
  if (!EVENT_TYPE_NAME.test(name)) {
    return (
      `event type name '${name}' is not valid: use dot-separated segments of letters, digits, '_' and '-', ` +
      `starting with a letter, e.g. "device.enrolled" or "blogPost.update"`
    );
  }
  return null;
}

export function validateResourceId(id: string): string | null {
  if (typeof id !== 'string' || id.length === 0) {
    return 'a resource id is required, e.g. "dev_42"';
  }
  if (id.length > 128) {
    return `resource id is ${id.length} characters long; use at most 128`;
  }
  if (!RESOURCE_ID.test(id)) {
    return `resource id '${id}' is not valid: use letters, digits and '_', '.', ':', '@', '-' only`;
  }
  return null;
}
