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
      {errors.length > 0 ? (
        <ul className="field-errors" id={errId}>
          {errors.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      ) : null}
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
