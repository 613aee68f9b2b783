/**
 * One foldable section of the subscription form: a fieldset whose legend is
 * the disclosure button, so the group keeps its name ("Delivery") for
 * assistive technology, and a folded section costs one Tab stop and one
 * line (its summary) instead of every field in it.
 */
import type { ReactNode } from 'react';

export function FormSection(props: {
  id: string;
  title: string;
  open: boolean;
  onToggle(): void;
  /** What is set inside, shown while folded. */
  summary?: string;
  children: ReactNode;
}) {
  const body = `section-${props.id}`;
  return (
    <fieldset className={`form-section${props.open ? ' open' : ''}`}>
      <legend>
        <button
          type="button"
          className="section-toggle"
          aria-expanded={props.open}
          aria-controls={body}
          onClick={props.onToggle}
        >
          <span className="chevron" aria-hidden="true">
            ▸
          </span>
          {props.title}
        </button>
      </legend>
      {!props.open && props.summary && <p className="muted section-summary">{props.summary}</p>}
      <div id={body} hidden={!props.open}>
        {props.children}
      </div>
    </fieldset>
  );
}
