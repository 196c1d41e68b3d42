// Inputs bound to the surrounding react-hook-form (FormProvider) by field name. They take the
// id and aria props that <Field> hands its child, so labels, hints and errors stay linked.
import * as React from 'react';
import { useController } from 'react-hook-form';
import { NativeSelect } from '@/components/ui/input';
import { Slider } from '@/components/ui/slider';
import { TagInput, type TagInputProps } from '@/components/ui/tag-input';
import { browserTimezone, timezoneList } from '@/lib/utils';

export function FormTagInput({ name, ...props }: { name: string } & Omit<TagInputProps, 'value' | 'onChange' | 'onBlur' | 'ref'>) {
  const { field } = useController({ name });
  return <TagInput {...props} ref={field.ref} value={(field.value as string[] | undefined) ?? []} onChange={field.onChange} onBlur={field.onBlur} />;
}

export function FormPercentSlider({ name, label, ...props }: { name: string; label: (value: number) => string } & Record<`aria-${string}`, unknown> & { id?: string }) {
  const { field } = useController({ name });
  const value = typeof field.value === 'number' ? field.value : 0;
  return <PercentSlider {...props} value={value} onChange={field.onChange} valueText={label(value)} />;
}

export function FormTimezoneSelect({ name, ...props }: { name: string } & Omit<React.ComponentProps<'select'>, 'value' | 'onChange' | 'name'>) {
  const { field } = useController({ name });
  return <TimezoneSelect {...props} ref={field.ref} name={field.name} value={String(field.value ?? '')} onChange={(e) => field.onChange(e.target.value)} onBlur={field.onBlur} />;
}

function PercentSlider({
  value,
  onChange,
  valueText,
  ...rest
}: { value: number; onChange: (v: number) => void; valueText: string } & Omit<React.ComponentProps<typeof Slider>, 'value' | 'onValueChange' | 'onChange'>) {
  return (
    <div className="flex items-center gap-4">
      <Slider
        min={0}
        max={1}
        step={0.05}
        value={[value]}
        onValueChange={(v) => onChange(Math.round((v[0] ?? 0) * 100) / 100)}
        aria-valuetext={`${value.toFixed(2)}, ${valueText}`}
        {...rest}
      />
      <span className="shrink-0 text-right text-sm whitespace-nowrap text-muted-foreground tabular-nums" aria-hidden="true" data-testid="slider-value">
        {value.toFixed(2)} · {valueText}
      </span>
    </div>
  );
}

function TimezoneSelect(props: React.ComponentProps<'select'> & { value: string }) {
  const zones = React.useMemo(() => {
    const list = timezoneList();
    const extra = [props.value, browserTimezone()].filter((z) => z && !list.includes(z));
    return [...extra, ...list];
  }, [props.value]);
  return (
    <NativeSelect {...props}>
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, ' ')}
        </option>
      ))}
    </NativeSelect>
  );
}
