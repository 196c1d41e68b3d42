import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useLocation } from '@tanstack/react-router';
import { ImagesIcon, InboxIcon, LogOutIcon, SettingsIcon, UsersIcon, MailIcon } from 'lucide-react';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip';
import { useLogout, useMe } from '@/lib/auth';
import { LiveEventsProvider, useLiveState } from '@/lib/live';
import { cn, initials } from '@/lib/utils';
import { pendingCountQuery } from '@/lib/vault';
import { Footer, Logo, SkipLink, ThemeToggle } from './brand';

const navLink =
  'inline-flex h-9 items-center gap-2 rounded-md px-3 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring [&_svg]:size-4';
const navActive = 'bg-accent text-accent-foreground';

function LiveIndicator() {
  const state = useLiveState();
  const label = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting' : 'Offline';
  const help =
    state === 'live'
      ? 'Live updates are on: status changes appear without reloading.'
      : state === 'connecting'
        ? 'Connecting to live updates…'
        : 'Live updates are off. Reload the page to reconnect.';
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <button
          type="button"
          data-testid="live-indicator"
          data-state={state}
          className="inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium text-muted-foreground focus-visible:outline-2 focus-visible:outline-ring cursor-default"
        >
          <span
            aria-hidden="true"
            className={cn(
              'size-2 rounded-full',
              state === 'live' && 'bg-success',
              state === 'connecting' && 'animate-pulse bg-warning',
              state === 'offline' && 'bg-muted-foreground',
            )}
          />
          {label}
          <span className="sr-only">: {help}</span>
        </button>
      </TooltipTrigger>
      <TooltipContent>{help}</TooltipContent>
    </Tooltip>
  );
}

function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  if (!me) return null;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" className="rounded-full">
          <span className="flex size-8 items-center justify-center rounded-full bg-primary text-xs font-semibold text-primary-foreground" aria-hidden="true">
            {initials(me.user.name)}
          </span>
          <span className="sr-only">Account menu</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-60">
        <DropdownMenuLabel>
          <span className="block truncate font-medium">{me.user.name}</span>
          <span className="block truncate text-xs font-normal text-muted-foreground">{me.user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link to="/app/settings">
            <SettingsIcon aria-hidden="true" /> Settings
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => logout.mutate()} disabled={logout.isPending}>
          <LogOutIcon aria-hidden="true" /> Log out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function PendingCount() {
  const q = useQuery(pendingCountQuery);
  if (!q.data || q.data.count === 0) return null;
  const label = q.data.count > 999 ? '999+' : String(q.data.count);
  return (
    <>
      <span className="rounded-full bg-primary px-1.5 text-xs font-semibold text-primary-foreground tabular-nums" aria-hidden="true" data-testid="pending-count">
        {label}
      </span>
      <span className="sr-only">({label} waiting)</span>
    </>
  );
}

function MainNav({ className }: { className?: string }) {
  const me = useMe();
  const pathname = useLocation({ select: (l) => l.pathname });
  const charactersActive = pathname === '/app' || pathname === '/app/' || pathname.startsWith('/app/characters');
  return (
    <nav aria-label="Main" className={className}>
      <ul className="flex items-center gap-1">
        <li>
          <Link
            to="/app"
            className={cn(navLink, charactersActive && navActive)}
            aria-current={charactersActive ? 'page' : undefined}
            activeOptions={{ exact: true, includeSearch: false }}
            activeProps={{}}
          >
            <UsersIcon aria-hidden="true" /> Characters
          </Link>
        </li>
        <li>
          <Link to="/app/vault" className={navLink} activeProps={{ className: navActive, 'aria-current': 'page' }} activeOptions={{ includeSearch: false }}>
            <ImagesIcon aria-hidden="true" /> Vault
          </Link>
        </li>
        <li>
          <Link to="/app/review" className={navLink} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <InboxIcon aria-hidden="true" /> Review
            <PendingCount />
          </Link>
        </li>
        <li>
          <Link to="/app/settings" className={navLink} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <SettingsIcon aria-hidden="true" /> Settings
          </Link>
        </li>
        {me?.user.role === 'admin' ? (
          <li>
            <Link to="/app/admin/outbox" className={navLink} activeProps={{ className: navActive, 'aria-current': 'page' }}>
              <MailIcon aria-hidden="true" /> Outbox
            </Link>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

export function AppShell() {
  return (
    <LiveEventsProvider>
      <div className="flex min-h-dvh flex-col">
        <SkipLink />
        <header className="sticky top-0 z-40 border-b bg-background/90 backdrop-blur">
          <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-3 px-4 sm:px-6">
            <div className="flex items-center gap-6">
              <Logo to="/app" />
              <MainNav className="hidden md:block" />
            </div>
            <div className="flex items-center gap-1 sm:gap-2">
              <LiveIndicator />
              <ThemeToggle />
              <UserMenu />
            </div>
          </div>
          <MainNav className="overflow-x-auto border-t px-2 py-1.5 md:hidden" />
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 focus:outline-none sm:px-6 sm:py-8">
          <Outlet />
        </main>
        <Footer />
      </div>
    </LiveEventsProvider>
  );
}
