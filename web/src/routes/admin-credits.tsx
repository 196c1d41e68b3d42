// Administrators: credits on or off, the monthly allowance, the price of each kind, and grants
// to an account (by its id, which every user sees under Settings → Account).
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Loader2Icon } from 'lucide-react';
import * as React from 'react';
import { Controller, type FieldPath, useForm } from 'react-hook-form';
import { toast } from 'sonner';
import { z } from 'zod';
import { api, ApiError, call, type CreditSettings, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { SettingsHeader } from '@/components/app/settings-nav';
import { Section } from '@/components/character/shared';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { Switch } from '@/components/ui/switch';
import { applyServerErrors } from '@/lib/character-form';
import { genKeys, kindLabel } from '@/lib/generation';
import { useTitle } from '@/lib/hooks';

const count = (max: number) => z.number({ error: 'Enter a number.' }).int('Use a whole number.').min(0, 'Use 0 or more.').max(max, `Use ${max} or less.`);

const settingsSchema = z.object({
  enabled: z.boolean(),
  monthlyAllowance: count(10_000_000),
  prices: z.object({ text: count(100_000), image: count(100_000), video: count(100_000), voice: count(100_000) }),
});

const grantSchema = z.object({
  userId: z.string().trim().min(1, 'Enter the account id.').max(100),
  amount: z.number({ error: 'Enter how many credits.' }).int('Use a whole number.').min(1, 'At least 1.').max(10_000_000, 'At most 10,000,000.'),
  note: z.string().trim().max(200, 'Use at most 200 characters.'),
});
type GrantValues = z.infer<typeof grantSchema>;

export function AdminCreditsPage() {
  useTitle('Credit settings');
  const q = useQuery({ queryKey: genKeys.creditSettings, queryFn: ({ signal }) => call(api.GET('/api/admin/credit-settings', { signal })) });
  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <SettingsHeader title="Credit settings" description="Administrators: what generating costs on this studio, and credits for accounts that need more." />
      {q.isPending ? (
        <Skeleton className="h-64 rounded-xl" />
      ) : q.isError ? (
        q.error instanceof ApiError && q.error.status === 403 ? (
          <InlineError error={new Error('Only administrators can change credit settings.')} />
        ) : (
          <InlineError error={q.error} onRetry={() => void q.refetch()} />
        )
      ) : (
        <>
          <SettingsForm settings={q.data} />
          <GrantForm />
        </>
      )}
    </div>
  );
}

function SettingsForm({ settings }: { settings: CreditSettings }) {
  const qc = useQueryClient();
  const form = useForm<CreditSettings>({ resolver: zodResolver(settingsSchema), mode: 'onTouched', values: settings, resetOptions: { keepDirtyValues: true } });
  const { register, formState, control } = form;
  const errors = formState.errors;
  const [general, setGeneral] = React.useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: CreditSettings) => call(api.PUT('/api/admin/credit-settings', { body })),
    onSuccess: (s) => {
      qc.setQueryData(genKeys.creditSettings, s);
      form.reset(s);
      void qc.invalidateQueries({ queryKey: genKeys.credits });
      toast.success('Credit settings saved.');
    },
    onError: (err) => {
      const first = applyServerErrors(form, err)[0];
      if (first) form.setFocus(first as FieldPath<CreditSettings>);
      else setGeneral(errorMessage(err));
    },
  });
  const submit = form.handleSubmit((v) => {
    setGeneral(null);
    save.mutate(v);
  });
  return (
    <Section title="Credit settings" description="Off for a single-user install: nothing is charged and no balance is shown.">
      <form noValidate onSubmit={(e) => void submit(e)} className="flex flex-col gap-5">
        <div className="flex items-center justify-between gap-4">
          <div>
            <Label htmlFor="credits-enabled">Count credits</Label>
            <p id="credits-enabled-help" className="mt-1 text-sm text-muted-foreground">
              Each generation spends credits up front; failures and cancels are refunded.
            </p>
          </div>
          <Controller
            control={control}
            name="enabled"
            render={({ field }) => <Switch id="credits-enabled" aria-describedby="credits-enabled-help" checked={field.value} onCheckedChange={field.onChange} ref={field.ref} />}
          />
        </div>
        <Field id="credits-allowance" label="Monthly allowance" hint="Credits every account receives at the start of each month (UTC)." error={errors.monthlyAllowance?.message}>
          <Input type="number" inputMode="numeric" min={0} className="sm:max-w-48" {...register('monthlyAllowance', { valueAsNumber: true })} />
        </Field>
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-3 text-sm font-medium">Price per unit</legend>
          <div className="grid grid-cols-2 gap-4 sm:grid-cols-4">
            {(['text', 'image', 'video', 'voice'] as const).map((k) => (
              <Field key={k} id={`credits-price-${k}`} label={kindLabel[k]!} error={errors.prices?.[k]?.message}>
                <Input type="number" inputMode="numeric" min={0} {...register(`prices.${k}`, { valueAsNumber: true })} />
              </Field>
            ))}
          </div>
        </fieldset>
        <FormError error={general} />
        <div className="flex justify-end gap-2">
          <Button type="button" variant="ghost" disabled={!formState.isDirty || save.isPending} onClick={() => form.reset(settings)}>
            Discard
          </Button>
          <Button type="submit" disabled={!formState.isDirty || save.isPending}>
            {save.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : null}
            Save settings
          </Button>
        </div>
      </form>
    </Section>
  );
}

function GrantForm() {
  const qc = useQueryClient();
  const form = useForm<GrantValues>({ resolver: zodResolver(grantSchema), mode: 'onTouched', defaultValues: { userId: '', amount: 100, note: '' } });
  const { register, formState } = form;
  const errors = formState.errors;
  const [result, setResult] = React.useState<string | null>(null);
  const [general, setGeneral] = React.useState<string | null>(null);
  const grant = useMutation({
    mutationFn: (body: GrantValues) => call(api.POST('/api/admin/credits/grant', { body })),
    onSuccess: (r, v) => {
      setResult(`Granted ${v.amount} credits. The account now has ${r.balance}.`);
      form.reset({ userId: '', amount: v.amount, note: '' });
      void qc.invalidateQueries({ queryKey: genKeys.credits });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 404) {
        form.setError('userId', { type: 'server', message: 'No account has this id.' });
        form.setFocus('userId');
        return;
      }
      const first = applyServerErrors(form, err)[0];
      if (first) form.setFocus(first as FieldPath<GrantValues>);
      else setGeneral(errorMessage(err));
    },
  });
  const submit = form.handleSubmit((v) => {
    setResult(null);
    setGeneral(null);
    grant.mutate(v);
  });
  return (
    <Section title="Grant credits" description="Adds credits to one account. The account holder finds their id under Settings → Account.">
      <form noValidate onSubmit={(e) => void submit(e)} className="flex flex-col gap-5">
        <Field id="grant-user" label="Account id" required error={errors.userId?.message}>
          <Input autoComplete="off" spellCheck={false} className="font-mono" {...register('userId')} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-[minmax(0,10rem)_1fr]">
          <Field id="grant-amount" label="Credits" required error={errors.amount?.message}>
            <Input type="number" inputMode="numeric" min={1} {...register('amount', { valueAsNumber: true })} />
          </Field>
          <Field id="grant-note" label="Note" hint="Shown in the account’s credit history." error={errors.note?.message}>
            <Input maxLength={200} placeholder="e.g. Launch bonus" {...register('note')} />
          </Field>
        </div>
        {result ? (
          <p role="status" className="rounded-md border border-success/40 bg-success/10 px-3 py-2 text-sm" data-testid="grant-result">
            {result}
          </p>
        ) : null}
        <FormError error={general} />
        <div className="flex justify-end">
          <Button type="submit" disabled={grant.isPending}>
            {grant.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : null}
            Grant credits
          </Button>
        </div>
      </form>
    </Section>
  );
}
