import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import * as React from 'react';
import type { Character, CharacterGates } from '@/api/client';
import { Label } from '@/components/ui/label';
import { Slider } from '@/components/ui/slider';
import { Switch } from '@/components/ui/switch';
import { Checkbox } from '@/components/ui/checkbox';
import { VaultBrowser } from '@/components/vault/vault-browser';
import { useUnsavedChanges } from '@/lib/unsaved';
import { accountSettingsQuery, identityQuery, assetRatings, ratingLabel, type VaultFilters } from '@/lib/vault';
import { SaveBar, Section, useCharacterPatch, useDraft } from './shared';

function CalibrationNote({ characterId }: { characterId: string }) {
  const q = useQuery(identityQuery(characterId));
  if (!q.data) return null;
  const d = q.data;
  return (
    <span className="mt-1 block text-muted-foreground tabular-nums" data-testid="identity-calibration">
      {d.calibratedThreshold !== null
        ? `Now ${d.calibratedThreshold.toFixed(2)} (faces in ${d.withFace} of ${d.referencePhotos} reference photos; they look ${d.leaveOneOutSimilarity?.toFixed(2)} alike).`
        : `Not available yet: faces found in ${d.withFace} of ${d.referencePhotos} reference photos. Until then, assets wait for review.`}
    </span>
  );
}

const defaults: CharacterGates = { autoApprove: true, identityThreshold: null, allowedRatings: ['safe'], adultContent: false };

export function VaultTab({ character }: { character: Character }) {
  const [filters, setFilters] = React.useState<VaultFilters>({});
  const [open, setOpen] = React.useState<string | null>(null);
  return (
    <div className="flex flex-col gap-6">
      <VaultRules character={character} />
      <VaultBrowser
        characterId={character.id}
        filters={filters}
        onFiltersChange={setFilters}
        openId={open}
        onOpenChange={setOpen}
        heading={
          <div>
            <h2 className="text-lg font-semibold">{character.name}’s vault</h2>
            <p className="mt-1 text-sm text-muted-foreground">Uploads here are linked to {character.name} and scored against the reference photos.</p>
          </div>
        }
      />
    </div>
  );
}

function VaultRules({ character }: { character: Character }) {
  const base = character.gates ?? defaults;
  const { draft, setDraft, dirty, reset } = useDraft<CharacterGates>(base);
  const patch = useCharacterPatch(character.id);
  useUnsavedChanges('vault-rules', 'Vault rules', dirty);
  const account = useQuery(accountSettingsQuery);
  const id = React.useId();
  const manual = draft.identityThreshold !== null;
  const set = (p: Partial<CharacterGates>) => setDraft((d) => ({ ...d, ...p }));
  const ratingError = draft.allowedRatings.length === 0 ? 'Allow at least one rating.' : null;

  return (
    <Section
      title="Vault rules"
      description="What may be approved automatically for this character. Anything that fails a rule waits in the review queue. Safety blocks always apply and cannot be turned off."
    >
      <div className="flex flex-col gap-6">
        <div className="flex items-start justify-between gap-4">
          <div>
            <Label htmlFor={`${id}-auto`}>Approve automatically</Label>
            <p id={`${id}-auto-help`} className="mt-1 text-sm text-muted-foreground">
              Assets that pass every rule below are approved without review. Off: everything goes to the review queue.
            </p>
          </div>
          <Switch id={`${id}-auto`} aria-describedby={`${id}-auto-help`} checked={draft.autoApprove} onCheckedChange={(v) => set({ autoApprove: v })} />
        </div>

        <fieldset className="flex flex-col gap-3">
          <legend className="text-sm font-medium">Identity threshold</legend>
          <p className="text-sm text-muted-foreground">How much a face must look like the reference photos to be approved automatically: 0 accepts anyone, 1 only an identical face.</p>
          <div className="flex flex-col gap-2">
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name={`${id}-mode`} className="mt-0.5 size-4 accent-primary" checked={!manual} onChange={() => set({ identityThreshold: null })} />
              <span>
                <span className="font-medium">Calibrated</span>
                <span className="block text-muted-foreground">0.9 × how similar the reference photos are to each other (needs at least 2 reference photos with a face).</span>
                <CalibrationNote characterId={character.id} />
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name={`${id}-mode`} className="mt-0.5 size-4 accent-primary" checked={manual} onChange={() => set({ identityThreshold: 0.8 })} />
              <span>
                <span className="font-medium">Manual</span>
                <span className="block text-muted-foreground">A fixed minimum you choose.</span>
              </span>
            </label>
          </div>
          {manual ? (
            <div className="flex items-center gap-4 pl-6">
              <Slider
                min={0.3}
                max={1}
                step={0.01}
                value={[draft.identityThreshold ?? 0.8]}
                onValueChange={([v]) => set({ identityThreshold: Math.round((v ?? 0.8) * 100) / 100 })}
                aria-label="Manual identity threshold"
                aria-valuetext={(draft.identityThreshold ?? 0.8).toFixed(2)}
                className="max-w-sm"
              />
              <output className="w-12 text-sm font-medium tabular-nums">{(draft.identityThreshold ?? 0.8).toFixed(2)}</output>
            </div>
          ) : null}
        </fieldset>

        <fieldset className="flex flex-col gap-2">
          <legend className="text-sm font-medium">Ratings that may be approved automatically</legend>
          <div className="flex flex-wrap gap-4">
            {assetRatings.map((r) => {
              const rid = `${id}-rating-${r}`;
              const disabled = r === 'explicit' && !draft.adultContent;
              return (
                <div key={r} className="flex items-center gap-2">
                  <Checkbox
                    id={rid}
                    disabled={disabled}
                    checked={draft.allowedRatings.includes(r) && !disabled}
                    onCheckedChange={(v) => set({ allowedRatings: v === true ? [...new Set([...draft.allowedRatings, r])] : draft.allowedRatings.filter((x) => x !== r) })}
                  />
                  <Label htmlFor={rid} className="font-normal">
                    {ratingLabel[r]}
                  </Label>
                </div>
              );
            })}
          </div>
          {ratingError ? (
            <p className="text-sm text-destructive" role="alert">
              {ratingError}
            </p>
          ) : null}
        </fieldset>

        <div className="flex items-start justify-between gap-4">
          <div>
            <Label htmlFor={`${id}-adult`}>Adult content</Label>
            <p id={`${id}-adult-help`} className="mt-1 text-sm text-muted-foreground">
              Allows explicit assets for this character. Your account must opt in too, in{' '}
              <Link to="/app/settings" className="font-medium text-primary underline underline-offset-4 hover:decoration-2">
                Settings
              </Link>{' '}
              (currently {account.data ? (account.data.adultContent ? 'on' : 'off') : '…'}). Explicit content showing anyone who looks under age is always blocked.
            </p>
          </div>
          <Switch
            id={`${id}-adult`}
            aria-describedby={`${id}-adult-help`}
            checked={draft.adultContent}
            onCheckedChange={(v) => set({ adultContent: v, allowedRatings: v ? draft.allowedRatings : draft.allowedRatings.filter((r) => r !== 'explicit') })}
          />
        </div>

        <SaveBar
          dirty={dirty}
          pending={patch.isPending}
          onDiscard={() => reset()}
          onSave={() => {
            if (ratingError) return;
            patch.mutate({ gates: draft }, { onSuccess: (c) => reset(c.gates ?? draft) });
          }}
        />
      </div>
    </Section>
  );
}
