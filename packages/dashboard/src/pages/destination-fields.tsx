/**
 * The Destination section's delivery method: the choice of kind (webhook,
 * RabbitMQ, NATS, MQTT, Redis Streams, the local relay), the URL field that
 * follows it (label, placeholder, help) and the kind's options, each with
 * its default as the placeholder. A 422 about the URL or an option is shown
 * under its field (and, like every error, in the form's error box).
 */

import {
  type DestinationKind,
  type DestinationOption,
  KIND_ORDER,
  KINDS,
  type TargetField,
  withKind,
  withUrl,
} from '../destinations.ts';
import type { Show } from '../form-sections.ts';
import type { FormState } from '../form-state.ts';
import type { SetForm } from './delivery-fields.tsx';

export type TargetErrors = Partial<Record<TargetField, string>>;

/** The ids an input is described by: its hint, then its error. */
const describedBy = (id: string, hint: boolean, error: string | undefined) =>
  [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p className="field-error" id={`${id}-error`}>
      {text}
    </p>
  ) : null;
}

/** The delivery method: in the portal the relay is offered only to an endpoint that is one (its listener needs a tenant token). */
export function DeliveryMethod(props: { form: FormState; setForm: SetForm; portal: boolean }) {
  const { form, setForm, portal } = props;
  const kinds = KIND_ORDER.filter((k) => !portal || k !== 'relay' || form.kind === 'relay');
  return (
    <div>
      <label htmlFor="kind">Delivery method</label>
      <select
        id="kind"
        value={form.kind}
        onChange={(e) => setForm((f) => withKind(f, e.target.value as DestinationKind))}
      >
        {kinds.map((k) => (
          <option key={k} value={k}>
            {KINDS[k].label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function UrlField(props: {
  form: FormState;
  setForm: SetForm;
  errors: TargetErrors;
  /** Whether the help line says what a webhook URL is (not in the portal's short form). */
  helpForHttp: boolean;
  testDisabled: boolean;
  onTest(): void;
}) {
  const { form, setForm, errors } = props;
  const spec = KINDS[form.kind];
  const masked = /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:\*\*\*@/i.test(form.url);
  const help =
    form.kind !== 'http' || props.helpForHttp
      ? `${spec.help}${masked ? ' The password shows as ***: leave it so to keep the saved one.' : ''}`
      : '';
  return (
    <>
      <label htmlFor="url">{spec.urlLabel}</label>
      <div className="row url-row">
        <input
          id="url"
          type="url"
          required
          aria-required="true"
          autoComplete="off"
          spellCheck={false}
          value={form.url}
          placeholder={spec.placeholder}
          aria-describedby={describedBy('url', help !== '', errors.url)}
          aria-invalid={errors.url ? true : undefined}
          onChange={(e) => setForm((f) => withUrl(f, e.target.value))}
        />
        <button type="button" className="secondary" disabled={props.testDisabled} onClick={props.onTest}>
          Test connection
        </button>
      </div>
      {help && (
        <p className="muted field-hint" id="url-hint">
          {help}
        </p>
      )}
      <FieldError id="url" text={errors.url} />
    </>
  );
}

function OptionField(props: {
  option: DestinationOption;
  value: string;
  error: string | undefined;
  onChange(value: string): void;
}) {
  const { option, value, error } = props;
  const id = `destination-${option.name}`;
  const common = {
    id,
    value,
    'aria-describedby': describedBy(id, Boolean(option.hint), error),
    'aria-invalid': error ? true : undefined,
  };
  return (
    <div>
      <label htmlFor={id}>{option.label}</label>
      {option.type === 'choice' ? (
        <select {...common} onChange={(e) => props.onChange(e.target.value)}>
          {option.choices?.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          inputMode={option.type === 'integer' ? 'numeric' : undefined}
          autoComplete="off"
          spellCheck={false}
          required={option.required}
          aria-required={option.required ? true : undefined}
          placeholder={option.placeholder}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {option.hint && (
        <p className="muted field-hint" id={`${id}-hint`}>
          {option.hint}
        </p>
      )}
      <FieldError id={id} text={error} />
    </div>
  );
}

/** The chosen broker's options (none for a webhook or the relay), sent as `destination`. */
export function DestinationOptions(props: {
  form: FormState;
  setForm: SetForm;
  errors: TargetErrors;
  show: Show;
}) {
  const { form, setForm, errors } = props;
  const spec = KINDS[form.kind];
  if (!props.show('destination') || spec.options.length === 0) return null;
  const set = (name: string) => (value: string) =>
    setForm((f) => ({ ...f, destination: { ...f.destination, [name]: value } }));
  return (
    <fieldset
      className="subgroup destination-options"
      aria-describedby={errors.destination ? 'destination-error' : undefined}
    >
      <legend>{spec.label} options</legend>
      <div className="row">
        {spec.options.map((option) => (
          <OptionField
            key={`${form.kind}-${option.name}`}
            option={option}
            value={form.destination[option.name] ?? ''}
            error={errors[`destination.${option.name}`]}
            onChange={set(option.name)}
          />
        ))}
      </div>
      <FieldError id="destination" text={errors.destination} />
    </fieldset>
  );
}
