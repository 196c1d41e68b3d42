import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { BotIcon, DownloadIcon, LogOutIcon, MailIcon, MonitorIcon, SmartphoneIcon, TabletIcon, Trash2Icon, TvIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, errorMessage, type Session } from '@/api/client';
import { CopyButton } from '@/components/app/copy-button';
import { InlineError } from '@/components/app/errors';
import { SettingsHeader } from '@/components/app/settings-nav';
import { Section } from '@/components/character/shared';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { ConfirmDialog, Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { useLogout, useMe } from '@/lib/auth';
import { useTitle } from '@/lib/hooks';
import { keys, setSessionHint } from '@/lib/queries';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { accountSettingsQuery, vaultKeys } from '@/lib/vault';
import { Switch } from '@/components/ui/switch';

export function SettingsPage() {
  useTitle('Settings');
  const me = useMe();
  const logout = useLogout();
  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <SettingsHeader title="Settings" description="Your account, password and signed-in devices." />

      <Section title="Account">
        {me ? (
          <div className="flex flex-col gap-6">
            <NameForm name={me.user.name} />
            <EmailForm email={me.user.email} verified={me.user.emailVerified} />
            <p className="text-sm">
              <span className="text-muted-foreground">Role: </span>
              <span className="font-medium">{me.user.role === 'admin' ? 'Administrator' : 'User'}</span>
            </p>
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="text-muted-foreground">Account id:</span>
              <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs break-all" data-testid="account-id">
                {me.user.id}
              </code>
              <CopyButton text={me.user.id} label="Copy account id" />
              <span className="basis-full text-xs text-muted-foreground">An administrator needs it to grant you credits.</span>
            </div>
          </div>
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
      {me ? <DeleteAccount email={me.user.email} /> : null}
    </div>
  );
}

function NameForm({ name }: { name: string }) {
  const qc = useQueryClient();
  const [value, setValue] = React.useState(name);
  React.useEffect(() => setValue(name), [name]);
  const m = useMutation({
    mutationFn: (n: string) => call(api.PATCH('/api/account/profile', { body: { name: n } })),
    onSuccess: (res) => {
      qc.setQueryData(keys.me, (old: { user: object } | null | undefined) => (old ? { ...old, user: { ...old.user, ...res.user } } : old));
      toast.success('Name saved.');
    },
  });
  const fieldError = m.error instanceof ApiError ? m.error.fieldErrors().name ?? errorMessage(m.error) : m.error ? errorMessage(m.error) : null;
  const trimmed = value.trim();
  return (
    <form
      noValidate
      className="flex flex-col gap-3 sm:flex-row sm:items-start"
      onSubmit={(e) => {
        e.preventDefault();
        if (trimmed && trimmed !== name) m.mutate(trimmed);
      }}
    >
      <Field id="account-name" label="Name" error={trimmed ? fieldError : 'Enter a name.'} className="flex-1">
        <Input autoComplete="name" maxLength={80} value={value} onChange={(e) => setValue(e.target.value)} />
      </Field>
      <Button type="submit" variant="outline" className="sm:mt-6" disabled={m.isPending || !trimmed || trimmed === name}>
        Save name
      </Button>
    </form>
  );
}

function EmailForm({ email, verified }: { email: string; verified: boolean }) {
  const [editing, setEditing] = React.useState(false);
  const [value, setValue] = React.useState('');
  const [sentTo, setSentTo] = React.useState<string | null>(null);
  const [local, setLocal] = React.useState<string | null>(null);
  const m = useMutation({
    mutationFn: (newEmail: string) => call(api.POST('/api/account/email', { body: { newEmail } })),
    onSuccess: (_r, newEmail) => {
      setSentTo(newEmail);
      setEditing(false);
      setValue('');
    },
  });
  const server = m.error instanceof ApiError ? m.error.fieldErrors().newEmail ?? errorMessage(m.error) : m.error ? errorMessage(m.error) : null;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-muted-foreground">Email:</span>
        <span className="font-medium break-all" data-testid="account-email">{email}</span>
        {verified ? <Badge variant="success">Verified</Badge> : <Badge variant="warning">Not verified</Badge>}
        {!editing ? (
          <Button variant="link" size="sm" className="h-auto px-1" onClick={() => { setEditing(true); m.reset(); setLocal(null); }}>
            Change email
          </Button>
        ) : null}
      </div>
      {sentTo ? (
        <div className="flex items-start gap-2 rounded-lg border bg-muted/50 p-3 text-sm" role="status" data-testid="email-change-pending">
          <MailIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
          <p>
            We sent a confirmation link to <span className="font-medium break-all">{sentTo}</span>. Your email stays <span className="font-medium break-all">{email}</span> until
            you open that link. (If the address already belongs to another account, no link is sent.)
          </p>
        </div>
      ) : null}
      {editing ? (
        <form
          noValidate
          className="flex flex-col gap-3 rounded-lg border p-4"
          onSubmit={(e) => {
            e.preventDefault();
            const v = value.trim().toLowerCase();
            if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return setLocal('Enter a valid email address.');
            if (v === email.toLowerCase()) return setLocal('That is already your email address.');
            setLocal(null);
            m.mutate(v);
          }}
        >
          <Field id="account-new-email" label="New email" hint="We send a link to the new address; it replaces the current one once you open it." error={local ?? server}>
            <Input type="email" autoComplete="email" value={value} onChange={(e) => setValue(e.target.value)} />
          </Field>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={m.isPending}>
              Send confirmation link
            </Button>
            <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

function DeleteAccount({ email }: { email: string }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = React.useState(false);
  const [byEmail, setByEmail] = React.useState(false);
  const [password, setPassword] = React.useState('');
  const [typed, setTyped] = React.useState('');
  const m = useMutation({
    mutationFn: (body: { password: string } | { email: string }) => call(api.POST('/api/account/delete', { body })),
    onSuccess: async () => {
      setSessionHint(false);
      qc.setQueryData(keys.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'persona-templates' });
      await navigate({ to: '/' });
      toast.success('Your account is being deleted. Goodbye!');
    },
  });
  const ready = byEmail ? typed.trim().toLowerCase() === email.toLowerCase() : password.length > 0;
  const fieldError = m.error instanceof ApiError && m.error.fieldErrors()[byEmail ? 'email' : 'password'] ? m.error.message : undefined;
  const general = m.error && !fieldError ? errorMessage(m.error) : null;
  const reset = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setPassword('');
      setTyped('');
      m.reset();
    }
  };
  return (
    <Section title="Your data" description="Download everything in your account, or delete the account for good.">
      <div className="flex flex-col gap-5">
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-sm text-muted-foreground">A zip with your account, characters (persona and appearance), reference photos and vault originals.</p>
          <Button variant="outline" asChild>
            <a href="/api/account/export" download>
              <DownloadIcon aria-hidden="true" /> Download my data
            </a>
          </Button>
        </div>
        <div className="flex flex-col gap-2 border-t pt-5 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-sm text-muted-foreground">Deletes your characters, photos, vault and account, signs out every device. This cannot be undone.</p>
          <Button variant="destructive" onClick={() => reset(true)}>
            <Trash2Icon aria-hidden="true" /> Delete account
          </Button>
        </div>
      </div>
      <Dialog open={open} onOpenChange={reset}>
        <DialogContent data-testid="delete-account-dialog">
          <DialogHeader>
            <DialogTitle>Delete your account?</DialogTitle>
            <DialogDescription>
              Everything goes: characters, reference photos, the vault and the account itself, and every device is signed out. Nothing can be recovered afterwards.
            </DialogDescription>
          </DialogHeader>
          <p className="text-sm">
            Want a copy first?{' '}
            <a className="font-medium underline underline-offset-4" href="/api/account/export" download>
              Download your data
            </a>
            .
          </p>
          <form
            noValidate
            className="flex flex-col gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              if (ready) m.mutate(byEmail ? { email: typed.trim() } : { password });
            }}
          >
            {byEmail ? (
              <Field id="delete-email" label={`Type your email (${email}) to confirm`} error={fieldError}>
                <Input type="email" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
              </Field>
            ) : (
              <Field id="delete-password" label="Your password" error={fieldError}>
                <Input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              </Field>
            )}
            <Button type="button" variant="link" className="h-auto w-fit px-0" onClick={() => { setByEmail((v) => !v); m.reset(); }}>
              {byEmail ? 'Confirm with your password instead' : 'Confirm by typing your email instead'}
            </Button>
            <FormError error={general} />
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => reset(false)}>
                Cancel
              </Button>
              <Button type="submit" variant="destructive" disabled={!ready || m.isPending}>
                Delete my account
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </Section>
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

const deviceIcons = { desktop: MonitorIcon, mobile: SmartphoneIcon, tablet: TabletIcon, tv: TvIcon, bot: BotIcon } as const;

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
            const Icon = s.device.type ? deviceIcons[s.device.type] : MonitorIcon;
            const label = s.device.label;
            return (
              <li key={s.id} className="flex flex-wrap items-center gap-3 p-4" data-testid="session">
                <Icon className="size-5 shrink-0 text-muted-foreground" aria-hidden="true" />
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 font-medium" title={s.userAgent ?? undefined} data-testid="session-device">
                    {label}
                    {s.current ? <Badge variant="success">This device</Badge> : null}
                  </p>
                  <p className="text-sm text-muted-foreground">
                    {s.ipAddress || 'Unknown IP'} · signed in <time dateTime={s.createdAt} title={formatDateTime(s.createdAt)}>{formatRelative(s.createdAt)}</time> · expires{' '}
                    <time dateTime={s.expiresAt}>{formatDateTime(s.expiresAt)}</time>
                  </p>
                </div>
                {!s.current ? (
                  <Button variant="outline" size="sm" disabled={revoke.isPending && revoke.variables?.id === s.id} onClick={() => revoke.mutate(s)} aria-label={`Revoke session ${label}, signed in ${formatRelative(s.createdAt)}`}>
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
