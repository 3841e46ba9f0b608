import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { ApiError } from '../api/client';

/** Field messages of an API error for one field (also `field.sub` paths under it when `prefix`). */
export function fieldErrors(error: unknown, name: string, prefix = false): string[] {
  if (!(error instanceof ApiError) || !error.fields) return [];
  const out: string[] = [];
  for (const [k, msgs] of Object.entries(error.fields))
    if (k === name || (prefix && k.startsWith(`${name}.`)))
      out.push(...msgs.map((m) => (k === name ? m : `${k.slice(name.length + 1)}: ${m}`)));
  return out;
}

/**
 * The messages of a group of fields (`name` itself and `name.sub` paths) that no field in `shownSubs`
 * shows, so a fieldset can show them; sub paths are prefixed (`sub: message`).
 */
export function groupErrors(error: unknown, name: string, shownSubs: string[]): string[] {
  if (!(error instanceof ApiError) || !error.fields) return [];
  const out: string[] = [];
  for (const [k, msgs] of Object.entries(error.fields)) {
    if (k === name) out.push(...msgs);
    else if (k.startsWith(`${name}.`) && !shownSubs.includes(k))
      out.push(...msgs.map((m) => `${k.slice(name.length + 1)}: ${m}`));
  }
  return out;
}

interface FieldFrame {
  label: string;
  hint?: ReactNode;
  errors?: string[];
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

function Frame({ label, hint, errors = [], children }: FieldFrame) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = errors.length > 0 ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${errors.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: errors.length > 0 })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <ErrorList id={errId} errors={errors} />
    </div>
  );
}

type Common = { label: string; hint?: ReactNode; errors?: string[] };

export function TextField({ label, hint, errors, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Frame label={label} hint={hint} errors={errors ?? []}>
      {({ id, describedBy, invalid }) => (
        <input id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input} />
      )}
    </Frame>
  );
}

export function TextArea({ label, hint, errors, ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Frame label={label} hint={hint} errors={errors ?? []}>
      {({ id, describedBy, invalid }) => (
        <textarea id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input} />
      )}
    </Frame>
  );
}

export function SelectField({
  label,
  hint,
  errors,
  children,
  ...input
}: Common & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  return (
    <Frame label={label} hint={hint} errors={errors ?? []}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input}>
          {children}
        </select>
      )}
    </Frame>
  );
}

/** A checkbox with its label beside it, a hint and field errors tied to it (aria-describedby). */
export function CheckboxField({
  label,
  hint,
  errors = [],
  ...input
}: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = errors.length > 0 ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${errors.length ? ' field-invalid' : ''}`}>
      <label className="checkbox" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          aria-describedby={describedBy}
          aria-invalid={errors.length > 0 || undefined}
          {...input}
        />{' '}
        {label}
      </label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <ErrorList id={errId} errors={errors} />
    </div>
  );
}

/** A labelled group of fields (a fieldset named by its legend); `errors` are the group's own messages. */
export function FieldGroup({
  legend,
  hint,
  errors = [],
  children,
}: {
  legend: string;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = errors.length > 0 ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <ErrorList id={errId} errors={errors} />
      {children}
    </fieldset>
  );
}

/** Field messages in the form's style (nothing when there are none). */
export function ErrorList({ id, errors }: { id: string | undefined; errors: string[] }) {
  if (errors.length === 0) return null;
  return (
    <ul className="field-errors" id={id}>
      {errors.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

/** The error of a form as a whole: the API's message, plus field messages no field shows. */
export function FormError({ error, shownFields = [] }: { error: unknown; shownFields?: string[] }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const other =
    error instanceof ApiError && error.fields
      ? Object.entries(error.fields).filter(([k]) => !shownFields.some((f) => k === f || k.startsWith(`${f}.`)))
      : [];
  return (
    <div className="alert alert-error" role="alert">
      <p>{message}</p>
      {other.length > 0 ? (
        <ul>
          {other.map(([k, msgs]) => (
            <li key={k}>
              <code>{k}</code>: {msgs.join(' ')}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
