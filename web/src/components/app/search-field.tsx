import * as React from 'react';
import { SearchIcon } from 'lucide-react';
import { Input } from '@/components/ui/input';
import { cn } from '@/lib/utils';

/** A search box with its icon; Escape clears it. `className` sizes the wrapper. */
export function SearchField({
  value,
  onValueChange,
  className,
  ...props
}: Omit<React.ComponentProps<typeof Input>, 'value' | 'onChange' | 'type'> & { value: string; onValueChange: (v: string) => void }) {
  return (
    <div className={cn('relative flex-1', className)}>
      <SearchIcon className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
      <Input
        type="search"
        className="pl-9"
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) onValueChange('');
        }}
        {...props}
      />
    </div>
  );
}
