import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useRouter, useSearch } from '@tanstack/react-router';
import { CheckCircle2Icon, Loader2Icon, MailIcon, XCircleIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, errorMessage } from '@/api/client';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { Checkbox } from '@/components/ui/checkbox';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { useTitle } from '@/lib/hooks';
import { meQuery } from '@/lib/queries';

function AuthCard({ title, description, children, footer }: { title: string; description?: React.ReactNode; children: React.ReactNode; footer?: React.ReactNode }) {
  useTitle(title);
  return (
    <div className="mx-auto flex w-full max-w-md flex-col gap-6 px-4 py-12 sm:py-20">
      <Card>
        <CardHeader>
          <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
          {description ? <CardDescription className="text-base">{description}</CardDescription> : null}
        </CardHeader>
        <CardContent>{children}</CardContent>
      </Card>
      {footer ? <div className="text-center text-sm text-muted-foreground">{footer}</div> : null}
    </div>
  );
}

function PasswordInput(props: React.ComponentProps<'input'>) {
  return <Input {...props} type="password" />;
}

function fieldErrors(err: unknown) {
  return err instanceof ApiError ? err.fieldErrors() : {};
}

/** Top-of-form message for errors that are not about a single field. */
function generalError(err: unknown, fields: string[]) {
  if (!err) return null;
  const fe = fieldErrors(err);
  if (fields.some((f) => fe[f])) return null;
  return errorMessage(err);
}

function Spinner() {
  return <Loader2Icon className="animate-spin" aria-hidden="true" />;
}

export function ResendVerification({ defaultEmail = '', compact = false }: { defaultEmail?: string; compact?: boolean }) {
  const [email, setEmail] = React.useState(defaultEmail);
  const m = useMutation({
    mutationFn: (e: string) => call(api.POST('/api/auth/resend-verification', { body: { email: e } })),
    onSuccess: () => toast.success('If that account needs verifying, a new link is on its way.'),
  });
  const fe = fieldErrors(m.error);
  // Compact mode lives inside the login form, so it must not render a nested <form>.
  const Wrapper = compact ? 'div' : 'form';
  return (
    <Wrapper
      className="flex flex-col gap-3"
      {...(compact
        ? {}
        : {
            noValidate: true,
            onSubmit: (e: React.FormEvent) => {
              e.preventDefault();
              m.mutate(email);
            },
          })}
    >
      {!compact ? (
        <Field id="resend-email" label="Email" error={fe.email}>
          <Input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
      ) : null}
      <FormError error={generalError(m.error, ['email'])} />
      {m.isSuccess ? (
        <p role="status" className="text-sm text-success">
          Sent. Check your inbox (or the server log) for the new link.
        </p>
      ) : null}
      <Button type={compact ? 'button' : 'submit'} variant="outline" disabled={m.isPending || !email} onClick={compact ? () => m.mutate(email) : undefined}>
        {m.isPending ? <Spinner /> : <MailIcon aria-hidden="true" />}
        Resend verification link
      </Button>
    </Wrapper>
  );
}

export function RegisterPage() {
  const navigate = useNavigate();
  const [form, setForm] = React.useState({ name: '', email: '', password: '' });
  const [local, setLocal] = React.useState<Record<string, string>>({});
  const m = useMutation({
    mutationFn: (body: typeof form) => call(api.POST('/api/auth/register', { body })),
    onSuccess: () => navigate({ to: '/check-email', search: { email: form.email.trim() } }),
  });
  const fe = { ...fieldErrors(m.error), ...local };
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <AuthCard
      title="Create your account"
      description="Your studio runs on this server; your data stays here."
      footer={
        <>
          Already have an account?{' '}
          <Link to="/login" className="font-medium text-primary underline-offset-4 hover:underline">
            Log in
          </Link>
        </>
      }
    >
      <form
        className="flex flex-col gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const errs: Record<string, string> = {};
          if (!form.name.trim()) errs.name = 'Enter your name.';
          if (!/^\S+@\S+\.\S+$/.test(form.email.trim())) errs.email = 'Enter a valid email address.';
          if (form.password.length < 8) errs.password = 'Use at least 8 characters.';
          setLocal(errs);
          if (Object.keys(errs).length === 0) m.mutate({ ...form, name: form.name.trim(), email: form.email.trim() });
        }}
      >
        <Field id="name" label="Name" error={fe.name}>
          <Input autoComplete="name" required value={form.name} onChange={set('name')} />
        </Field>
        <Field id="email" label="Email" error={fe.email}>
          <Input type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
        </Field>
        <Field id="password" label="Password" hint="At least 8 characters." error={fe.password}>
          <PasswordInput autoComplete="new-password" required value={form.password} onChange={set('password')} />
        </Field>
        <FormError error={generalError(m.error, ['name', 'email', 'password'])} />
        <Button type="submit" disabled={m.isPending} className="mt-2">
          {m.isPending ? <Spinner /> : null}
          Create account
        </Button>
      </form>
    </AuthCard>
  );
}

export function LoginPage() {
  const search = useSearch({ from: '/public/login' });
  const navigate = useNavigate();
  const router = useRouter();
  const qc = useQueryClient();
  const [form, setForm] = React.useState({ email: search.email ?? '', password: '', rememberMe: true });
  const m = useMutation({
    mutationFn: (body: typeof form) => call(api.POST('/api/auth/login', { body })),
    onSuccess: async () => {
      await qc.fetchQuery({ ...meQuery, staleTime: 0 });
      // `next` is a same-site path that may carry its own ?query (checked by safeNext in the router).
      if (search.next) await router.navigate({ href: search.next });
      else await navigate({ to: '/app' });
    },
  });
  const fe = fieldErrors(m.error);
  const unverified = m.error instanceof ApiError && m.error.code === 'email_not_verified';

  return (
    <AuthCard
      title="Log in"
      description="Welcome back to your studio."
      footer={
        <>
          New here?{' '}
          <Link to="/register" className="font-medium text-primary underline-offset-4 hover:underline">
            Create an account
          </Link>
        </>
      }
    >
      <form
        className="flex flex-col gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate({ ...form, email: form.email.trim() });
        }}
      >
        <Field id="email" label="Email" error={fe.email}>
          <Input type="email" autoComplete="email" required value={form.email} onChange={(e) => setForm((f) => ({ ...f, email: e.target.value }))} />
        </Field>
        <div className="flex flex-col gap-2">
          <Field id="password" label="Password" error={fe.password}>
            <PasswordInput autoComplete="current-password" required value={form.password} onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))} />
          </Field>
          <Link to="/forgot-password" className="self-end text-sm font-medium text-primary underline-offset-4 hover:underline">
            Forgot password?
          </Link>
        </div>
        <div className="flex items-center gap-2">
          <Checkbox id="remember" checked={form.rememberMe} onCheckedChange={(v) => setForm((f) => ({ ...f, rememberMe: v === true }))} />
          <Label htmlFor="remember" className="font-normal">
            Keep me signed in
          </Label>
        </div>
        {unverified ? (
          <div role="alert" className="flex flex-col gap-3 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
            <p className="font-medium">{errorMessage(m.error)}</p>
            <ResendVerification defaultEmail={form.email.trim()} compact />
          </div>
        ) : (
          <FormError error={generalError(m.error, ['email', 'password'])} />
        )}
        <Button type="submit" disabled={m.isPending} className="mt-2">
          {m.isPending ? <Spinner /> : null}
          Log in
        </Button>
      </form>
    </AuthCard>
  );
}

export function CheckEmailPage() {
  const { email } = useSearch({ from: '/public/check-email' });
  return (
    <AuthCard
      title="Check your email"
      description={
        <>
          We sent a verification link to {email ? <strong className="text-foreground">{email}</strong> : 'your email address'}. Open it to
          activate your account.
        </>
      }
      footer={
        <Link to="/login" search={{ email }} className="font-medium text-primary underline-offset-4 hover:underline">
          Back to log in
        </Link>
      }
    >
      <div className="flex flex-col gap-5">
        <div className="rounded-md border bg-muted/50 p-3 text-sm text-muted-foreground">
          <p>
            <strong className="text-foreground">No email arriving?</strong> Without SMTP configured, the link is printed in the server log
            and kept in the outbox (an admin can see it under Admin → Outbox).
          </p>
        </div>
        <ResendVerification defaultEmail={email} />
      </div>
    </AuthCard>
  );
}

export function VerifyEmailPage() {
  const { token } = useSearch({ from: '/public/verify-email' });
  const qc = useQueryClient();
  const started = React.useRef(false);
  const [signedIn, setSignedIn] = React.useState(true);
  const m = useMutation({
    mutationFn: (t: string) => call(api.POST('/api/auth/verify-email', { body: { token: t } })),
    // A new account's link signs in; a change-of-email link opened in another browser does not.
    onSuccess: async () => setSignedIn(Boolean(await qc.fetchQuery({ ...meQuery, staleTime: 0 }).catch(() => null))),
  });
  React.useEffect(() => {
    if (token && !started.current) {
      started.current = true;
      m.mutate(token);
    }
  }, [token, m]);

  if (!token || m.isError) {
    return (
      <AuthCard title="Link not valid" description={token ? errorMessage(m.error) : 'This verification link is missing its token.'}>
        <div className="flex flex-col gap-4">
          <div className="flex items-start gap-3 text-sm text-muted-foreground">
            <XCircleIcon className="size-5 shrink-0 text-destructive" aria-hidden="true" />
            <p>Links expire after a while and work only once. Ask for a new one below.</p>
          </div>
          <ResendVerification />
        </div>
      </AuthCard>
    );
  }
  if (m.isSuccess) {
    return (
      <AuthCard title="Email verified" description={signedIn ? 'Your account is active and you are signed in.' : 'Your email address is confirmed. Sign in to continue.'}>
        <div className="flex flex-col gap-4">
          {signedIn ? (
            <div className="flex items-center gap-3 text-sm">
              <CheckCircle2Icon className="size-5 text-success" aria-hidden="true" />
              <p>Next: create your first character — it takes under a minute.</p>
            </div>
          ) : null}
          <Button asChild>
            {signedIn ? <Link to="/app">Continue to dashboard</Link> : <Link to="/login">Log in</Link>}
          </Button>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Verifying your email…">
      <div role="status" className="flex items-center gap-3 text-muted-foreground">
        <Spinner />
        <span>One moment.</span>
      </div>
    </AuthCard>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = React.useState('');
  const m = useMutation({ mutationFn: (e: string) => call(api.POST('/api/auth/forgot-password', { body: { email: e } })) });
  const fe = fieldErrors(m.error);
  if (m.isSuccess) {
    return (
      <AuthCard
        title="Check your email"
        description={
          <>
            If an account exists for <strong className="text-foreground">{email}</strong>, we sent a link to choose a new password. It is valid
            for one hour.
          </>
        }
        footer={
          <Link to="/login" className="font-medium text-primary underline-offset-4 hover:underline">
            Back to log in
          </Link>
        }
      >
        <p className="text-sm text-muted-foreground">Without SMTP configured, the link is printed in the server log and kept in the outbox.</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Forgot your password?"
      description="Enter your email and we will send you a link to choose a new one."
      footer={
        <Link to="/login" className="font-medium text-primary underline-offset-4 hover:underline">
          Back to log in
        </Link>
      }
    >
      <form
        className="flex flex-col gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate(email.trim());
        }}
      >
        <Field id="email" label="Email" error={fe.email}>
          <Input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <FormError error={generalError(m.error, ['email'])} />
        <Button type="submit" disabled={m.isPending || !email.trim()}>
          {m.isPending ? <Spinner /> : null}
          Send reset link
        </Button>
      </form>
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const { token } = useSearch({ from: '/public/reset-password' });
  const navigate = useNavigate();
  const [password, setPassword] = React.useState('');
  const [confirm, setConfirm] = React.useState('');
  const [local, setLocal] = React.useState<Record<string, string>>({});
  const m = useMutation({
    mutationFn: (p: string) => call(api.POST('/api/auth/reset-password', { body: { token: token ?? '', password: p } })),
    onSuccess: async () => {
      toast.success('Password changed. Log in with your new password.');
      await navigate({ to: '/login' });
    },
  });
  const fe = { ...fieldErrors(m.error), ...local };
  if (!token) {
    return (
      <AuthCard title="Link not valid" description="This reset link is missing its token. Ask for a new one.">
        <Button asChild>
          <Link to="/forgot-password">Request a new link</Link>
        </Button>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password" description="All your other sessions will be signed out.">
      <form
        className="flex flex-col gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const errs: Record<string, string> = {};
          if (password.length < 8) errs.password = 'Use at least 8 characters.';
          else if (password !== confirm) errs.confirm = 'The passwords do not match.';
          setLocal(errs);
          if (!errs.password && !errs.confirm) m.mutate(password);
        }}
      >
        <Field id="password" label="New password" hint="At least 8 characters." error={fe.password}>
          <PasswordInput autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field id="confirm" label="Confirm new password" error={fe.confirm}>
          <PasswordInput autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </Field>
        <FormError error={generalError(m.error, ['password'])} />
        {m.isError && !fe.password ? (
          <Link to="/forgot-password" className="text-sm font-medium text-primary underline-offset-4 hover:underline">
            Request a new link
          </Link>
        ) : null}
        <Button type="submit" disabled={m.isPending}>
          {m.isPending ? <Spinner /> : null}
          Set new password
        </Button>
      </form>
    </AuthCard>
  );
}
