import type * as React from 'react';
import { cn } from '@/lib/utils';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => React.ReactNode;
  numeric?: boolean;
}

const phoneCell =
  'max-sm:flex max-sm:items-center max-sm:justify-between max-sm:gap-3 max-sm:before:font-medium max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]';

/** A table that becomes a list of cards at phone width, each value under its column's name (no sideways scrolling). */
export function DataTable<T>({ caption, columns, rows, rowKey, testId }: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; testId?: string }) {
  return (
    <div className="overflow-x-auto rounded-xl border max-sm:overflow-visible max-sm:border-0">
      <table className="w-full text-sm max-sm:block" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-muted/50 text-left max-sm:sr-only">
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={cn('px-3 py-2 font-medium whitespace-nowrap', c.numeric && 'text-right')}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="max-sm:flex max-sm:flex-col max-sm:gap-3">
          {rows.map((r) => (
            <tr key={rowKey(r)} className="border-t max-sm:block max-sm:rounded-xl max-sm:border max-sm:p-2">
              {columns.map((c, i) => (
                <td
                  key={c.key}
                  data-label={c.header}
                  className={cn('px-3 py-2', c.numeric && 'text-right tabular-nums', i === 0 ? 'font-medium max-sm:block' : phoneCell)}
                >
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
