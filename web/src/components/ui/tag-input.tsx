import { XIcon } from 'lucide-react';
import * as React from 'react';
import { cn } from '@/lib/utils';

export interface TagInputProps {
  id?: string;
  value: string[];
  onChange: (value: string[]) => void;
  placeholder?: string;
  maxItems?: number;
  maxLength?: number;
  className?: string;
  /** The text box (for focusing it, e.g. react-hook-form's setFocus). */
  ref?: React.Ref<HTMLInputElement>;
  onBlur?: () => void;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
  'aria-labelledby'?: string;
}

/** Type and press Enter or comma to add; Backspace on an empty box removes the last tag. */
export function TagInput({ id, value, onChange, placeholder, maxItems = 30, maxLength = 60, className, ref, onBlur, ...aria }: TagInputProps) {
  const [draft, setDraft] = React.useState('');
  const inputRef = React.useRef<HTMLInputElement>(null);
  const setRefs = React.useCallback(
    (el: HTMLInputElement | null) => {
      inputRef.current = el;
      if (typeof ref === 'function') ref(el);
      else if (ref) (ref as React.RefObject<HTMLInputElement | null>).current = el;
    },
    [ref],
  );
  const full = value.length >= maxItems;

  const add = (raw: string) => {
    const parts = raw
      .split(',')
      .map((s) => s.trim().slice(0, maxLength))
      .filter(Boolean);
    if (parts.length === 0) return;
    const next = [...value];
    for (const p of parts) {
      if (next.length >= maxItems) break;
      if (!next.some((t) => t.toLowerCase() === p.toLowerCase())) next.push(p);
    }
    onChange(next);
    setDraft('');
  };

  return (
    <div
      className={cn(
        'flex min-h-10 w-full flex-wrap items-center gap-1.5 rounded-md border border-input bg-background px-2 py-1.5 shadow-xs focus-within:outline-2 focus-within:outline-offset-1 focus-within:outline-ring',
        aria['aria-invalid'] && 'border-destructive',
        className,
      )}
      onClick={() => inputRef.current?.focus()}
    >
      {value.length > 0 ? (
        <ul className="contents" aria-label="Added">
          {value.map((tag, i) => (
            <li key={tag + i} className="inline-flex items-center gap-1 rounded-md bg-secondary py-0.5 pr-0.5 pl-2 text-sm text-secondary-foreground">
              {tag}
              <button
                type="button"
                className="rounded p-0.5 text-muted-foreground hover:bg-background hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring cursor-pointer"
                aria-label={`Remove ${tag}`}
                onClick={(e) => {
                  e.stopPropagation();
                  onChange(value.filter((_, j) => j !== i));
                  inputRef.current?.focus();
                }}
              >
                <XIcon className="size-3.5" aria-hidden="true" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        ref={setRefs}
        id={id}
        value={draft}
        disabled={full}
        placeholder={full ? `Limit of ${maxItems} reached` : value.length === 0 ? placeholder : 'Add more…'}
        className="min-w-24 flex-1 bg-transparent px-1 py-0.5 text-base outline-none placeholder:text-muted-foreground md:text-sm"
        onChange={(e) => {
          const v = e.target.value;
          if (v.includes(',')) add(v);
          else setDraft(v);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(draft);
          } else if (e.key === 'Backspace' && draft === '' && value.length > 0) {
            onChange(value.slice(0, -1));
          }
        }}
        onBlur={() => {
          add(draft);
          onBlur?.();
        }}
        {...aria}
      />
    </div>
  );
}
