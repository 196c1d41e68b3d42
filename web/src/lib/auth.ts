import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { toast } from 'sonner';
import { api, call, errorMessage } from '@/api/client';
import { hasSessionHint, keys, meQuery, setSessionHint } from './queries';

export function useMe() {
  const q = useQuery(meQuery);
  return q.data ?? null;
}

/** The signed-in user on public pages: asks the API only when this browser was signed in before. */
export function usePublicMe() {
  const q = useQuery({ ...meQuery, enabled: hasSessionHint() });
  return q.data ?? null;
}

export function useLogout() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => call(api.POST('/api/auth/logout')),
    onSuccess: async () => {
      setSessionHint(false);
      qc.setQueryData(keys.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'persona-templates' });
      await navigate({ to: '/login' });
      toast.success('You are logged out.');
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
}
