/**
 * Name templates shared by every broker kind: a routing key, stream, subject
 * or topic may name the message's event type, tenant and resource, so one
 * endpoint can fan events out by type (`{{type}}`) or by tenant.
 */
import type { DestinationMessage } from './port.ts';

export type TemplateVars = DestinationMessage['template'];

const PLACEHOLDERS = ['type', 'tenantId', 'resource'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

// `{{ name }}` with optional spaces inside the braces.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Values a template is tried with when an endpoint is saved: a name that is
 * invalid for the protocol with these is refused then, not at the first send.
 * They look like real ones (a dotted type, an id with `_`).
 */
export const SAMPLE_VARS: TemplateVars = {
  type: 'device.enrolled',
  tenantId: 'tn_sample',
  resource: 'dev_42',
};

/**
 * null when `template` only uses known placeholders, else what is wrong and
 * how to fix it, to follow the option's name: `uses the unknown placeholder …`.
 */
export function placeholderProblem(template: string): string | null {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return (
        `uses the unknown placeholder "${match[0]}"; ` +
        `the placeholders are {{type}}, {{tenantId}} and {{resource}}`
      );
    }
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    return 'has an unbalanced "{{" or "}}"; write placeholders as {{type}}, {{tenantId}} or {{resource}}';
  }
  return null;
}

/** The same, as a sentence naming option `option`: `destination.topic uses the unknown placeholder …`. */
export function templateProblem(option: string, template: string): string | null {
  const problem = placeholderProblem(template);
  return problem === null ? null : `${option} ${problem}`;
}

/** The template with each placeholder replaced; a null resource is the empty string. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (_all, name: string) => {
    const value = vars[name as Placeholder];
    return value ?? '';
  });
}
