// Small building blocks every page uses: errors worded for people, fields with their messages
// next to them, buttons that show they are busy, and an accessible confirmation dialog.
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ApiError } from "../lib/api";
import { useI18n } from "../i18n";

/** What went wrong, from the service's problem+json body, as a sentence (never a blank page). */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  let title = t("error.title");
  let detail = String(error);
  if (error instanceof ApiError) {
    const { status, title: problemTitle, detail: problemDetail } = error.problem;
    title = status === 0 ? t("error.network") : `${problemTitle || t("error.status", { status })}`;
    detail = status === 0 ? "" : problemDetail;
  }
  return (
    <div className="error" role="alert">
      <strong>{title}</strong>
      {detail && <p>{detail.charAt(0).toUpperCase() + detail.slice(1)}</p>}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="notice" role="status">
      {children}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useI18n();
  return when ? <p className="loading">{t("app.loading")}</p> : null;
}

interface FieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  error?: string | null;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  name?: string;
  inputMode?: "decimal" | "numeric" | "email" | "text";
}

/** A labelled input with its validation error right below it. */
export function Field({ label, value, onChange, type = "text", error, hint, required, autoComplete, placeholder, name, inputMode }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        autoComplete={autoComplete}
        placeholder={placeholder}
        inputMode={inputMode}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

interface SelectProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}

export function Select({ label, value, onChange, options }: SelectProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Checkbox({ label, checked, onChange }: { label: string; checked: boolean; onChange: (value: boolean) => void }) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** Run an async action from a form or button, showing its error and whether it is busy. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (reason) {
      setError(reason);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}

interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}

/** A modal dialog (the native <dialog>, so focus and Escape behave as people expect). */
export function Dialog({ title, open, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose}>
      <h2 id={id}>{title}</h2>
      {open && children}
    </dialog>
  );
}

export function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (no permission): the secret stays selectable on screen.
        }
        setCopied(true);
      }}
    >
      {copied ? t("app.copied") : t("app.copy")}
    </button>
  );
}

export function PencilIcon() {
  return (
    <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" focusable="false">
      <path d="M11.5 1.5l3 3-9 9H2.5v-3z" fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

/** Download text as a file (CSV exports, the backup-code sheet). */
export function download(filename: string, text: string, type = "text/csv"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function split(text: string): string[] {
  return text
    .split(/[,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}
