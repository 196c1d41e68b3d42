import { getRouteApi } from '@tanstack/react-router';
import * as React from 'react';
import { VaultBrowser } from '@/components/vault/vault-browser';
import { useTitle } from '@/lib/hooks';
import type { VaultFilters } from '@/lib/vault';

const route = getRouteApi('/app/vault');

export function VaultPage() {
  useTitle('Vault');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const { open, ...filters } = search;
  const onFiltersChange = React.useCallback(
    (f: VaultFilters) => void navigate({ search: { ...f, open: undefined }, replace: true }),
    [navigate],
  );
  const onOpenChange = React.useCallback(
    (id: string | null) => void navigate({ search: (s) => ({ ...s, open: id ?? undefined }), replace: true }),
    [navigate],
  );
  return (
    <VaultBrowser
      filters={filters}
      onFiltersChange={onFiltersChange}
      openId={open ?? null}
      onOpenChange={onOpenChange}
      heading={
        <div>
          <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Vault</h1>
          <p className="mt-1 text-sm text-muted-foreground">Every uploaded and generated asset, measured, rated and checked before it can be published.</p>
        </div>
      }
    />
  );
}
