import type { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
  useRouterState,
} from '@tanstack/react-router';
import * as React from 'react';
import { AppShell } from '@/components/app/app-shell';
import { NotFoundContent, RouteError } from '@/components/app/errors';
import { PageSpinner } from '@/components/app/page-spinner';
import { PublicShell } from '@/components/app/public-shell';
import { ConnectionBanner } from '@/components/app/connection-banner';
import { retryingImport } from '@/lib/connection';
import { hasSessionHint, meQuery, type StatusFilter } from '@/lib/queries';

export interface RouterContext {
  queryClient: QueryClient;
}

/** Only same-site paths are allowed as ?next= targets (no open redirects). */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : undefined;
}
const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** After client-side navigation, move focus to <main> so keyboard and screen-reader users start
 * at the new page's content instead of a link that no longer exists. */
function Root() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const first = React.useRef(true);
  React.useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = document.getElementById('main');
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <>
      <Outlet />
      <ConnectionBanner />
    </>
  );
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Root,
  notFoundComponent: () => (
    <PublicShell>
      <NotFoundContent />
    </PublicShell>
  ),
});

const publicLayout = createRoute({ getParentRoute: () => rootRoute, id: 'public', component: PublicShell });

const landingRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/',
  component: lazyRouteComponent(retryingImport(() => import('./routes/landing')), 'LandingPage'),
});

async function redirectIfSignedIn(queryClient: QueryClient, next?: string) {
  if (!hasSessionHint()) return;
  const me = await queryClient.ensureQueryData(meQuery).catch(() => null);
  if (me) throw redirect({ to: safeNext(next) ?? '/app' });
}

const registerRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/register',
  beforeLoad: ({ context }) => redirectIfSignedIn(context.queryClient),
  component: lazyRouteComponent(retryingImport(() => import('./routes/auth')), 'RegisterPage'),
});

const loginRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/login',
  validateSearch: (s: Record<string, unknown>): { next?: string; email?: string } => ({ next: safeNext(s.next), email: str(s.email) }),
  beforeLoad: ({ context, search }) => redirectIfSignedIn(context.queryClient, search.next),
  component: lazyRouteComponent(retryingImport(() => import('./routes/auth')), 'LoginPage'),
});

const checkEmailRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/check-email',
  validateSearch: (s: Record<string, unknown>): { email?: string } => ({ email: str(s.email) }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/auth')), 'CheckEmailPage'),
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/verify-email',
  validateSearch: (s: Record<string, unknown>): { token?: string } => ({ token: str(s.token) }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/auth')), 'VerifyEmailPage'),
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/forgot-password',
  component: lazyRouteComponent(retryingImport(() => import('./routes/auth')), 'ForgotPasswordPage'),
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/reset-password',
  validateSearch: (s: Record<string, unknown>): { token?: string } => ({ token: str(s.token) }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/auth')), 'ResetPasswordPage'),
});

const appLayout = createRoute({
  getParentRoute: () => rootRoute,
  path: '/app',
  beforeLoad: async ({ context, location }) => {
    const me = await context.queryClient.ensureQueryData(meQuery);
    if (!me) throw redirect({ to: '/login', search: { next: location.href } });
    return { me };
  },
  component: AppShell,
  errorComponent: RouteError,
  notFoundComponent: NotFoundContent,
});

const statuses: StatusFilter[] = ['all', 'active', 'paused', 'error', 'archived'];

export interface DashboardSearch {
  status?: Exclude<StatusFilter, 'all'>;
  q?: string;
}

const dashboardRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/',
  validateSearch: (s: Record<string, unknown>): DashboardSearch => ({
    status: statuses.includes(s.status as StatusFilter) && s.status !== 'all' ? (s.status as DashboardSearch['status']) : undefined,
    q: str(typeof s.q === 'string' ? s.q.slice(0, 100) : undefined),
  }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/dashboard')), 'DashboardPage'),
});

const newCharacterRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/characters/new',
  component: lazyRouteComponent(retryingImport(() => import('./routes/new-character')), 'NewCharacterPage'),
});

export const characterTabs = ['overview', 'persona', 'appearance', 'photos', 'prompt', 'vault'] as const;
export type CharacterTab = (typeof characterTabs)[number];

const characterRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/characters/$id',
  validateSearch: (s: Record<string, unknown>): { tab?: CharacterTab } => ({
    tab: characterTabs.includes(s.tab as CharacterTab) && s.tab !== 'overview' ? (s.tab as CharacterTab) : undefined,
  }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/character')), 'CharacterPage'),
});

export type StudioTab = 'caption' | 'image' | 'history';
export interface StudioSearch {
  tab?: Exclude<StudioTab, 'caption'>;
  kind?: 'text' | 'image';
  status?: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  task?: string;
}

const studioRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/characters/$id/studio',
  validateSearch: (s: Record<string, unknown>): StudioSearch => ({
    tab: s.tab === 'image' || s.tab === 'history' ? s.tab : undefined,
    kind: s.kind === 'text' || s.kind === 'image' ? s.kind : undefined,
    status: ['queued', 'running', 'succeeded', 'failed', 'cancelled'].includes(s.status as string) ? (s.status as StudioSearch['status']) : undefined,
    task: typeof s.task === 'string' && /^[a-z-]{1,40}$/.test(s.task) ? s.task : undefined,
  }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/studio')), 'StudioPage'),
});

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (v: unknown) => (typeof v === 'string' && uuidRe.test(v) ? v : undefined);
const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
const oneOf = <T extends string>(v: unknown, list: readonly T[]) => (list.includes(v as T) ? (v as T) : undefined);

export interface VaultSearch {
  characterId?: string;
  kind?: 'image' | 'video' | 'audio';
  status?: 'processing' | 'pending' | 'approved' | 'rejected' | 'blocked' | 'failed';
  rating?: 'safe' | 'suggestive' | 'explicit';
  source?: 'upload' | 'generated';
  engine?: string;
  tag?: string;
  folderId?: string;
  from?: string;
  to?: string;
  q?: string;
  sort?: 'newest' | 'oldest';
  open?: string;
}

const vaultRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/vault',
  validateSearch: (s: Record<string, unknown>): VaultSearch => ({
    characterId: uuid(s.characterId),
    kind: oneOf(s.kind, ['image', 'video', 'audio'] as const),
    status: oneOf(s.status, ['processing', 'pending', 'approved', 'rejected', 'blocked', 'failed'] as const),
    rating: oneOf(s.rating, ['safe', 'suggestive', 'explicit'] as const),
    source: oneOf(s.source, ['upload', 'generated'] as const),
    engine: str(typeof s.engine === 'string' ? s.engine.slice(0, 80) : undefined),
    tag: str(typeof s.tag === 'string' ? s.tag.slice(0, 40) : undefined),
    folderId: uuid(s.folderId),
    from: day(s.from),
    to: day(s.to),
    q: str(typeof s.q === 'string' ? s.q.slice(0, 200) : undefined),
    sort: s.sort === 'oldest' ? 'oldest' : undefined,
    open: uuid(s.open),
  }),
  component: lazyRouteComponent(retryingImport(() => import('./routes/vault')), 'VaultPage'),
});

const reviewRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/review',
  component: lazyRouteComponent(retryingImport(() => import('./routes/review')), 'ReviewPage'),
});

const settingsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/settings',
  component: lazyRouteComponent(retryingImport(() => import('./routes/settings')), 'SettingsPage'),
});

const enginesRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/settings/engines',
  component: lazyRouteComponent(retryingImport(() => import('./routes/engines')), 'EnginesPage'),
});

const workflowsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/settings/workflows',
  component: lazyRouteComponent(retryingImport(() => import('./routes/workflows')), 'WorkflowsPage'),
});

const creditsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/settings/credits',
  component: lazyRouteComponent(retryingImport(() => import('./routes/credits')), 'CreditsPage'),
});

const adminCreditsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/admin/credits',
  component: lazyRouteComponent(retryingImport(() => import('./routes/admin-credits')), 'AdminCreditsPage'),
});

const outboxRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/admin/outbox',
  component: lazyRouteComponent(retryingImport(() => import('./routes/outbox')), 'OutboxPage'),
});

const safetyRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/admin/safety',
  component: lazyRouteComponent(retryingImport(() => import('./routes/safety')), 'SafetyPage'),
});

const routeTree = rootRoute.addChildren([
  publicLayout.addChildren([
    landingRoute,
    registerRoute,
    loginRoute,
    checkEmailRoute,
    verifyEmailRoute,
    forgotPasswordRoute,
    resetPasswordRoute,
  ]),
  appLayout.addChildren([
    dashboardRoute,
    newCharacterRoute,
    characterRoute,
    studioRoute,
    vaultRoute,
    reviewRoute,
    settingsRoute,
    enginesRoute,
    workflowsRoute,
    creditsRoute,
    outboxRoute,
    safetyRoute,
    adminCreditsRoute,
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    defaultPreloadStaleTime: 0,
    defaultPendingComponent: PageSpinner,
    defaultErrorComponent: RouteError,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
