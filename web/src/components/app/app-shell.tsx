import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useLocation } from '@tanstack/react-router';
import { CoinsIcon, ImagesIcon, InboxIcon, LogOutIcon, MailIcon, ShieldAlertIcon, MenuIcon, SettingsIcon, UsersIcon } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Sheet, SheetContent, SheetTitle, SheetTrigger } from '@/components/ui/sheet';
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip';
import { useLogout, useMe } from '@/lib/auth';
import { creditsQuery } from '@/lib/generation';
import { LiveEventsProvider, useLiveState } from '@/lib/live';
import { cn, initials } from '@/lib/utils';
import { pendingCountQuery } from '@/lib/vault';
import { Footer, Logo, SkipLink, ThemeToggle } from './brand';

const navLink =
  'inline-flex h-9 items-center gap-2 rounded-md px-3 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring [&_svg]:size-4';
const navActive = 'bg-accent text-accent-foreground';

function LiveIndicator() {
  const state = useLiveState();
  const label = { live: 'Live', connecting: 'Connecting', reconnecting: 'Reconnecting', offline: 'Offline' }[state];
  const help = {
    live: 'Live updates are on: status changes appear without reloading.',
    connecting: 'Connecting to live updates…',
    reconnecting: 'Live updates dropped; reconnecting…',
    offline: 'Can’t reach the studio server. Retrying; the page updates itself when it is back.',
  }[state];
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
              (state === 'connecting' || state === 'reconnecting') && 'animate-pulse bg-warning motion-reduce:animate-none',
              state === 'offline' && 'bg-destructive',
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

/** The credit balance when credits are on; moves live with `credits.updated`. */
function CreditBalance() {
  const q = useQuery(creditsQuery);
  if (!q.data?.enabled) return null;
  const low = q.data.balance <= 0;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Link
          to="/app/settings/credits"
          data-testid="credit-balance"
          className={cn(
            'inline-flex h-7 items-center gap-1 rounded-full border px-2 text-xs font-medium tabular-nums hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring [&_svg]:size-3.5',
            low ? 'border-destructive/40 text-destructive' : 'text-foreground',
          )}
        >
          <CoinsIcon aria-hidden="true" />
          {q.data.balance}
          <span className="sr-only"> credits</span>
        </Link>
      </TooltipTrigger>
      <TooltipContent>Your credits: {q.data.balance}. Generating spends them; failures are refunded.</TooltipContent>
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

/** The app's sections; `vertical` for the phone menu. `onNavigate` closes that menu. */
function MainNav({ className, vertical = false, onNavigate }: { className?: string; vertical?: boolean; onNavigate?: () => void }) {
  const me = useMe();
  const pathname = useLocation({ select: (l) => l.pathname });
  const charactersActive = pathname === '/app' || pathname === '/app/' || pathname.startsWith('/app/characters');
  const link = cn(navLink, vertical && 'h-11 w-full text-base');
  return (
    <nav aria-label="Main" className={className}>
      <ul className={cn('flex gap-1', vertical ? 'flex-col items-stretch' : 'items-center')}>
        <li>
          <Link
            to="/app"
            className={cn(link, charactersActive && navActive)}
            aria-current={charactersActive ? 'page' : undefined}
            activeOptions={{ exact: true, includeSearch: false }}
            activeProps={{}}
            onClick={onNavigate}
          >
            <UsersIcon aria-hidden="true" /> Characters
          </Link>
        </li>
        <li>
          <Link to="/app/vault" className={link} activeProps={{ className: navActive, 'aria-current': 'page' }} activeOptions={{ includeSearch: false }} onClick={onNavigate}>
            <ImagesIcon aria-hidden="true" /> Vault
          </Link>
        </li>
        <li>
          <Link to="/app/review" className={link} activeProps={{ className: navActive, 'aria-current': 'page' }} onClick={onNavigate}>
            <InboxIcon aria-hidden="true" /> Review
            <PendingCount />
          </Link>
        </li>
        <li>
          <Link to="/app/settings" className={link} activeProps={{ className: navActive, 'aria-current': 'page' }} onClick={onNavigate}>
            <SettingsIcon aria-hidden="true" /> Settings
          </Link>
        </li>
        {me?.user.role === 'admin' ? (
          <li>
            <Link to="/app/admin/outbox" className={link} activeProps={{ className: navActive, 'aria-current': 'page' }} onClick={onNavigate}>
              <MailIcon aria-hidden="true" /> Outbox
            </Link>
          </li>
        ) : null}
        {me?.user.role === 'admin' ? (
          <li>
            <Link to="/app/admin/safety" className={link} activeProps={{ className: navActive, 'aria-current': 'page' }} onClick={onNavigate}>
              <ShieldAlertIcon aria-hidden="true" /> Safety
            </Link>
          </li>
        ) : null}

      </ul>
    </nav>
  );
}

/** Below md the sections sit behind a menu button (a sheet), so nothing scrolls sideways. */
function PhoneMenu({ className }: { className: string }) {
  const [open, setOpen] = React.useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className={cn('-ml-2', className)}>
          <MenuIcon aria-hidden="true" />
          <span className="sr-only">Main menu</span>
        </Button>
      </SheetTrigger>
      <SheetContent aria-describedby={undefined}>
        <SheetTitle className="px-1 pt-1 text-base font-semibold">Menu</SheetTitle>
        <MainNav vertical onNavigate={() => setOpen(false)} />
      </SheetContent>
    </Sheet>
  );
}

export function AppShell() {
  // Administrators have two more sections: the row needs a wider screen before it fits.
  const admin = useMe()?.user.role === 'admin';
  return (
    <LiveEventsProvider>
      <div className="flex min-h-dvh flex-col">
        <SkipLink />
        <header className="sticky top-0 z-40 border-b bg-background/90 backdrop-blur">
          <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-3 px-4 sm:px-6">
            <div className="flex min-w-0 items-center gap-2 md:gap-6">
              <PhoneMenu className={admin ? 'xl:hidden' : 'md:hidden'} />
              <Logo to="/app" compact />
              <MainNav className={admin ? 'hidden xl:block' : 'hidden md:block'} />
            </div>
            <div className="flex items-center gap-1 sm:gap-2">
              <CreditBalance />
              <LiveIndicator />
              <ThemeToggle />
              <UserMenu />
            </div>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 focus:outline-none sm:px-6 sm:py-8">
          <Outlet />
        </main>
        <Footer />
      </div>
    </LiveEventsProvider>
  );
}
