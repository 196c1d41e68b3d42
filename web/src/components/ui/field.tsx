import { CircleHelpIcon } from 'lucide-react';
import { Popover as PopoverPrimitive } from 'radix-ui';
import * as React from 'react';
import { cn } from '@/lib/utils';
import { Label } from './label';

/** A focusable "?" button that explains a field. Opens on click, hover or Enter/Space; the text is
 * also linked to the field with aria-describedby so screen readers hear it with the label. */
export function HelpTip({ label, children, id }: { label: string; children: React.ReactNode; id?: string }) {
  const [open, setOpen] = React.useState(false);
  const closeTimer = React.useRef<number | undefined>(undefined);
  const hover = (next: boolean) => (e: React.PointerEvent) => {
    if (e.pointerType !== 'mouse') return;
    window.clearTimeout(closeTimer.current);
    if (next) setOpen(true);
    else closeTimer.current = window.setTimeout(() => setOpen(false), 120);
  };
  return (
    <PopoverPrimitive.Root open={open} onOpenChange={setOpen}>
      <PopoverPrimitive.Trigger
        type="button"
        aria-describedby={id}
        onPointerEnter={hover(true)}
        onPointerLeave={hover(false)}
        className="inline-flex size-5 items-center justify-center rounded-full text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring cursor-help"
      >
        <CircleHelpIcon className="size-4" aria-hidden="true" />
        {/* Name from content (not aria-label) so getByLabel('Age') finds only the field itself. */}
        <span className="sr-only">Help: {label}</span>
      </PopoverPrimitive.Trigger>
      <PopoverPrimitive.Portal>
        <PopoverPrimitive.Content
          side="top"
          sideOffset={6}
          onPointerEnter={hover(true)}
          onPointerLeave={hover(false)}
          onOpenAutoFocus={(e) => e.preventDefault()}
          className="z-50 max-w-72 rounded-md bg-foreground px-3 py-2 text-xs leading-relaxed text-background shadow-md"
        >
          {children}
          <PopoverPrimitive.Arrow className="fill-foreground" />
        </PopoverPrimitive.Content>
      </PopoverPrimitive.Portal>
    </PopoverPrimitive.Root>
  );
}

export interface FieldProps {
  id: string;
  label: React.ReactNode;
  /** Plain-text label for the help button ("Help: <label>") when label is not a string. */
  labelText?: string;
  help?: React.ReactNode;
  hint?: React.ReactNode;
  error?: string | null;
  required?: boolean;
  className?: string;
  children: React.ReactElement<Record<string, unknown>>;
  /** Render the label with htmlFor (default) or as an id for aria-labelledby controls. */
  labelMode?: 'for' | 'id';
}

export function Field({ id, label, labelText, help, hint, error, required, className, children, labelMode = 'for' }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId, helpId].filter(Boolean).join(' ') || undefined;
  const text = labelText ?? (typeof label === 'string' ? label : id);
  const child = React.cloneElement(children, {
    id: labelMode === 'for' ? id : (children.props.id as string | undefined),
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
    ...(required ? { 'aria-required': true } : {}),
    ...(labelMode === 'id' ? { 'aria-labelledby': `${id}-label` } : {}),
  });
  return (
    <div className={cn('flex flex-col gap-2', className)}>
      <div className="flex min-h-5 items-center gap-1.5">
        <Label htmlFor={labelMode === 'for' ? id : undefined} id={`${id}-label`}>
          {label}
        </Label>
        {required ? (
          <span className="-ml-1 text-sm text-destructive" aria-hidden="true" title="Required">
            *
          </span>
        ) : null}
        {help ? (
          <HelpTip label={text} id={helpId}>
            {help}
          </HelpTip>
        ) : null}
      </div>
      {child}
      {help ? (
        <span id={helpId} className="sr-only">
          {help}
        </span>
      ) : null}
      {hint && !error ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {hint && error ? (
        <span id={hintId} className="sr-only">
          {hint}
        </span>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-destructive" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormError({ error }: { error?: string | null }) {
  if (!error) return null;
  return (
    <div role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
      {error}
    </div>
  );
}
