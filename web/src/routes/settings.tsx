import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LogOutIcon, MonitorIcon, SmartphoneIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, errorMessage, type Session } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Section } from '@/components/character/shared';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { useLogout, useMe } from '@/lib/auth';
import { useTitle } from '@/lib/hooks';
import { keys } from '@/lib/queries';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { accountSettingsQuery, vaultKeys } from '@/lib/vault';
import { Switch } from '@/components/ui/switch';

export function SettingsPage() {
  useTitle('Settings');
  const me = useMe();
  const logout = useLogout();
  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Settings</h1>
        <p className="mt-1 text-sm text-muted-foreground">Your account, password and signed-in devices.</p>
      </div>

      <Section title="Account">
        {me ? (
          <dl className="grid gap-4 text-sm sm:grid-cols-[8rem_1fr]">
            <dt className="text-muted-foreground">Name</dt>
            <dd className="font-medium">{me.user.name}</dd>
            <dt className="text-muted-foreground">Email</dt>
            <dd className="flex flex-wrap items-center gap-2 font-medium">
              {me.user.email}
              {me.user.emailVerified ? <Badge variant="success">Verified</Badge> : <Badge variant="warning">Not verified</Badge>}
            </dd>
            <dt className="text-muted-foreground">Role</dt>
            <dd className="font-medium">{me.user.role === 'admin' ? 'Administrator' : 'User'}</dd>
          </dl>
        ) : null}
        <div className="mt-6 border-t pt-5">
          <Button variant="outline" onClick={() => logout.mutate()} disabled={logout.isPending}>
            <LogOutIcon aria-hidden="true" /> Log out
          </Button>
        </div>
      </Section>

      <AdultContent />
      <ChangePassword />
      <Sessions />
    </div>
  );
}

function AdultContent() {
  const qc = useQueryClient();
  const settings = useQuery(accountSettingsQuery);
  const [confirm, setConfirm] = React.useState(false);
  const [wantOn, setWantOn] = React.useState(false);
  const m = useMutation({
    mutationFn: (body: { adultContent: boolean; confirmAdult?: boolean }) => call(api.PATCH('/api/account/settings', { body })),
    onSuccess: (s) => {
      qc.setQueryData(vaultKeys.account, s);
      setWantOn(false);
      setConfirm(false);
      toast.success(s.adultContent ? 'Adult content allowed for this account.' : 'Adult content turned off.');
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  const on = settings.data?.adultContent ?? false;
  return (
    <Section
      title="Adult content"
      description="Explicit assets can only be approved when both your account and the character allow them. Anything explicit that shows someone who looks under age is always blocked, whatever the settings."
    >
      {settings.isPending ? (
        <Skeleton className="h-10" />
      ) : settings.isError ? (
        <InlineError error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <div className="flex flex-col gap-4">
          <div className="flex items-center justify-between gap-4">
            <div>
              <Label htmlFor="adult-switch">Allow adult content</Label>
              <p className="mt-1 text-sm text-muted-foreground" id="adult-help">
                {on && settings.data?.adultContentAt ? `On since ${formatDateTime(settings.data.adultContentAt)}.` : 'Off. Each character also has its own switch in its Vault rules.'}
              </p>
            </div>
            <Switch
              id="adult-switch"
              aria-describedby="adult-help"
              checked={on || wantOn}
              disabled={m.isPending}
              onCheckedChange={(v) => {
                if (v) setWantOn(true);
                else if (on) m.mutate({ adultContent: false });
                else setWantOn(false);
              }}
            />
          </div>
          {wantOn && !on ? (
            <div className="flex flex-col gap-3 rounded-lg border border-warning/40 bg-warning/10 p-4">
              <div className="flex items-start gap-2">
                <Checkbox id="adult-confirm" checked={confirm} onCheckedChange={(v) => setConfirm(v === true)} className="mt-0.5" />
                <Label htmlFor="adult-confirm" className="leading-snug font-normal">
                  I confirm that I am an adult, that explicit content is legal where I live, and that I may view and publish it.
                </Label>
              </div>
              <div className="flex gap-2">
                <Button disabled={!confirm || m.isPending} onClick={() => m.mutate({ adultContent: true, confirmAdult: true })}>
                  Allow adult content
                </Button>
                <Button variant="ghost" onClick={() => setWantOn(false)}>
                  Cancel
                </Button>
              </div>
            </div>
          ) : null}
        </div>
      )}
    </Section>
  );
}

function ChangePassword() {
  const qc = useQueryClient();
  const [form, setForm] = React.useState({ currentPassword: '', newPassword: '', confirm: '', revokeOtherSessions: true });
  const [local, setLocal] = React.useState<Record<string, string>>({});
  const m = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string; revokeOtherSessions: boolean }) => call(api.POST('/api/auth/change-password', { body })),
    onSuccess: () => {
      toast.success('Password changed.');
      setForm({ currentPassword: '', newPassword: '', confirm: '', revokeOtherSessions: true });
      void qc.invalidateQueries({ queryKey: keys.sessions });
    },
  });
  const server = m.error instanceof ApiError ? m.error.fieldErrors() : {};
  const errors = { ...server, ...local };
  const general = m.error && !server.currentPassword && !server.newPassword ? errorMessage(m.error) : null;
  return (
    <Section title="Change password" description="Use at least 8 characters. A password manager helps.">
      <form
        noValidate
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          const errs: Record<string, string> = {};
          if (!form.currentPassword) errs.currentPassword = 'Enter your current password.';
          if (form.newPassword.length < 8) errs.newPassword = 'Use at least 8 characters.';
          else if (form.newPassword !== form.confirm) errs.confirm = 'The passwords do not match.';
          setLocal(errs);
          if (Object.keys(errs).length === 0) m.mutate({ currentPassword: form.currentPassword, newPassword: form.newPassword, revokeOtherSessions: form.revokeOtherSessions });
        }}
      >
        <Field id="pw-current" label="Current password" error={errors.currentPassword}>
          <Input type="password" autoComplete="current-password" value={form.currentPassword} onChange={(e) => setForm((f) => ({ ...f, currentPassword: e.target.value }))} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="pw-new" label="New password" error={errors.newPassword}>
            <Input type="password" autoComplete="new-password" value={form.newPassword} onChange={(e) => setForm((f) => ({ ...f, newPassword: e.target.value }))} />
          </Field>
          <Field id="pw-confirm" label="Confirm new password" error={errors.confirm}>
            <Input type="password" autoComplete="new-password" value={form.confirm} onChange={(e) => setForm((f) => ({ ...f, confirm: e.target.value }))} />
          </Field>
        </div>
        <div className="flex items-center gap-2">
          <Checkbox id="pw-revoke" checked={form.revokeOtherSessions} onCheckedChange={(v) => setForm((f) => ({ ...f, revokeOtherSessions: v === true }))} />
          <Label htmlFor="pw-revoke" className="font-normal">
            Sign out all other devices
          </Label>
        </div>
        <FormError error={general} />
        <div>
          <Button type="submit" disabled={m.isPending}>
            Change password
          </Button>
        </div>
      </form>
    </Section>
  );
}

function describeAgent(ua: string | null) {
  if (!ua) return { label: 'Unknown device', mobile: false };
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /curl|node|undici/i.test(ua) ? 'Script' : 'Browser';
  const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return { label: os ? `${browser} on ${os}` : browser, mobile: /Mobile|Android|iPhone/.test(ua) };
}

function Sessions() {
  const qc = useQueryClient();
  const sessions = useQuery({ queryKey: keys.sessions, queryFn: ({ signal }) => call(api.GET('/api/auth/sessions', { signal })) });
  const [confirmOthers, setConfirmOthers] = React.useState(false);
  const revoke = useMutation({
    mutationFn: (s: Session) => call(api.DELETE('/api/auth/sessions/{id}', { params: { path: { id: s.id } } })),
    onSuccess: () => toast.success('Session revoked.'),
    onError: (err) => toast.error(errorMessage(err)),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.sessions }),
  });
  const revokeOthers = useMutation({
    mutationFn: () => call(api.POST('/api/auth/sessions/revoke-others')),
    onSuccess: () => {
      toast.success('Signed out everywhere else.');
      setConfirmOthers(false);
    },
    onError: (err) => {
      toast.error(errorMessage(err));
      setConfirmOthers(false);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: keys.sessions }),
  });
  const items = sessions.data?.items ?? [];
  const others = items.filter((s) => !s.current).length;
  return (
    <Section
      title="Sessions"
      description="Devices signed in to your account. Revoke any you don’t recognise."
      actions={
        <Button variant="outline" size="sm" disabled={others === 0 || revokeOthers.isPending} onClick={() => setConfirmOthers(true)}>
          Sign out everywhere else
        </Button>
      }
    >
      {sessions.isPending ? (
        <div className="flex flex-col gap-3" role="status" aria-label="Loading sessions">
          <Skeleton className="h-16" />
          <Skeleton className="h-16" />
        </div>
      ) : sessions.isError ? (
        <InlineError error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <ul className="divide-y rounded-lg border">
          {items.map((s) => {
            const agent = describeAgent(s.userAgent);
            const Icon = agent.mobile ? SmartphoneIcon : MonitorIcon;
            return (
              <li key={s.id} className="flex flex-wrap items-center gap-3 p-4" data-testid="session">
                <Icon className="size-5 shrink-0 text-muted-foreground" aria-hidden="true" />
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    {agent.label}
                    {s.current ? <Badge variant="success">This device</Badge> : null}
                  </p>
                  <p className="text-sm text-muted-foreground">
                    {s.ipAddress || 'Unknown IP'} · signed in <time dateTime={s.createdAt} title={formatDateTime(s.createdAt)}>{formatRelative(s.createdAt)}</time> · expires{' '}
                    <time dateTime={s.expiresAt}>{formatDateTime(s.expiresAt)}</time>
                  </p>
                  {s.userAgent ? (
                    <p className="truncate text-xs text-muted-foreground" title={s.userAgent}>
                      {s.userAgent}
                    </p>
                  ) : null}
                </div>
                {!s.current ? (
                  <Button variant="outline" size="sm" disabled={revoke.isPending && revoke.variables?.id === s.id} onClick={() => revoke.mutate(s)} aria-label={`Revoke session ${agent.label}, signed in ${formatRelative(s.createdAt)}`}>
                    Revoke
                  </Button>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <ConfirmDialog
        open={confirmOthers}
        onOpenChange={setConfirmOthers}
        title="Sign out everywhere else?"
        description={`${others} other ${others === 1 ? 'session' : 'sessions'} will be signed out. This device stays signed in.`}
        confirmLabel="Sign out other sessions"
        pending={revokeOthers.isPending}
        onConfirm={() => revokeOthers.mutate()}
      />
    </Section>
  );
}
