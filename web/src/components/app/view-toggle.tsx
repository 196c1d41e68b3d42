import { LayoutGridIcon, ListIcon } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/utils';

export type ViewMode = 'grid' | 'list';

/** Grid / list switch of a collection page (dashboard, vault): two pressed-state buttons. */
export function ViewToggle({ view, setView, className }: { view: ViewMode; setView: (v: ViewMode) => void; className?: string }) {
  return (
    <div role="group" aria-label="View" className={cn('flex rounded-md border p-0.5', className)}>
      <Button variant="ghost" size="icon-sm" aria-label="Grid view" aria-pressed={view === 'grid'} className={cn(view === 'grid' && 'bg-accent')} onClick={() => setView('grid')}>
        <LayoutGridIcon aria-hidden="true" />
      </Button>
      <Button variant="ghost" size="icon-sm" aria-label="List view" aria-pressed={view === 'list'} className={cn(view === 'list' && 'bg-accent')} onClick={() => setView('list')}>
        <ListIcon aria-hidden="true" />
      </Button>
    </div>
  );
}
