import type { ButtonHTMLAttributes, ReactNode } from 'react';

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** While the request it started runs: the button is busy and says so, and cannot be pressed twice. */
  pending?: boolean;
  pendingLabel?: ReactNode;
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
}

export function Button({
  pending = false,
  pendingLabel,
  variant = 'primary',
  children,
  disabled,
  className,
  ...rest
}: Props) {
  return (
    <button
      type="button"
      {...rest}
      className={`button button-${variant}${className ? ` ${className}` : ''}`}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {pending ? (pendingLabel ?? children) : children}
    </button>
  );
}
