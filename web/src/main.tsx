import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Toaster } from 'sonner';
import { ApiError } from '@/api/client';
import { TooltipProvider } from '@/components/ui/tooltip';
import { connectOnlineManager, onReconnect } from '@/lib/connection';
import { keys, setSessionHint } from '@/lib/queries';
import { ThemeProvider, useTheme } from '@/lib/theme';
import { createAppRouter } from './router';
import './styles.css';

let router: ReturnType<typeof createAppRouter>;

/** Any API call answering 401 inside the app means the session ended: go to the login page. */
function onApiError(err: unknown) {
  if (!(err instanceof ApiError) || err.status !== 401) return;
  const loc = router?.state.location;
  if (!loc || !loc.pathname.startsWith('/app')) return;
  setSessionHint(false);
  queryClient.setQueryData(keys.me, null);
  void router.navigate({ to: '/login', search: { next: loc.href }, ignoreBlocker: true });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

router = createAppRouter(queryClient);

// Queries pause while the studio server is unreachable and resume when it answers again; then
// everything on screen is refetched, since live events were missed in between.
connectOnlineManager();
onReconnect(() => void queryClient.invalidateQueries());

function ThemedToaster() {
  const { resolved } = useTheme();
  return <Toaster theme={resolved} position="bottom-right" closeButton />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeProvider>
      <QueryClientProvider client={queryClient}>
        <TooltipProvider delayDuration={300}>
          <RouterProvider router={router} />
          <ThemedToaster />
        </TooltipProvider>
      </QueryClientProvider>
    </ThemeProvider>
  </StrictMode>,
);
