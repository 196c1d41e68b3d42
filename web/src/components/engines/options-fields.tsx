// An adapter's options as form fields, read from the JSON schema the server sends with each
// adapter (model, checkpoint, workflow, …): strings, enums, numbers, booleans and string lists get
// their own control; anything else is edited as JSON. The server validates with the adapter's own
// zod schema and names the field it refuses (`options.<key>`).
import { Controller, type FieldValues, type Path, useFormContext } from 'react-hook-form';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { errorAt } from '@/lib/character-form';

type Json = Record<string, unknown>;

export interface OptionField {
  key: string;
  label: string;
  description?: string;
  control: 'text' | 'number' | 'enum' | 'boolean' | 'list' | 'json';
  options?: string[];
  min?: number;
  max?: number;
  integer?: boolean;
  required: boolean;
  defaultValue?: unknown;
  /** A text field that takes a number or a word ("5m" or 300). */
  numberOrText?: boolean;
  /** For JSON fields: what a value looks like. */
  example?: string;
}

export type OptionValues = Record<string, string | boolean>;

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The non-null branch of `anyOf: [{…}, {type: 'null'}]` and the like. */
function unwrap(s: Json): Json {
  const variants = (s.anyOf ?? s.oneOf) as unknown;
  if (Array.isArray(variants)) {
    const real = variants.filter(isObj).filter((v) => v.type !== 'null');
    if (real.length === 1) return { ...real[0], ...(s.default !== undefined ? { default: s.default } : {}), ...(s.description ? { description: s.description } : {}) };
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    if (types.length === 1) return { ...s, type: types[0] };
  }
  return s;
}

const primitive = (v: Json) => v.type === 'string' || v.type === 'number' || v.type === 'integer';

/** An empty value of an object schema, as an example for its JSON field. */
function exampleOf(s: Json): string | undefined {
  if (s.type !== 'object' || !isObj(s.properties)) return undefined;
  const out: Json = {};
  for (const [k, raw] of Object.entries(s.properties)) {
    const v = isObj(raw) ? unwrap(raw) : {};
    out[k] = v.default ?? (v.type === 'number' || v.type === 'integer' ? (typeof v.minimum === 'number' && v.minimum > 0 ? v.minimum : 1) : v.type === 'boolean' ? false : '');
  }
  return JSON.stringify(out);
}

const acronyms = new Set(['usd', 'url', 'cfg', 'id', 'api', 'ctx', 'lora', 'vae']);
/** "usdPer1kTokens" → "USD per 1k tokens". */
const humanize = (key: string) => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([a-z])(\d)/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .split(' ')
    .map((w) => (acronyms.has(w) ? (w === 'lora' ? 'LoRA' : w === 'ctx' ? 'context' : w.toUpperCase()) : w))
    .join(' ');
  return words[0]!.toUpperCase() + words.slice(1);
};

export function optionFields(schema: Json | undefined): OptionField[] {
  if (!schema || !isObj(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).filter(([, v]) => isObj(v)).map(([key, raw]) => {
    const s = unwrap(raw as Json);
    const base = {
      key,
      label: typeof s.title === 'string' ? s.title : humanize(key),
      description: typeof s.description === 'string' ? s.description : undefined,
      // A field with a default is filled in by the server when left empty.
      required: required.has(key) && s.default === undefined,
      defaultValue: s.default,
    };
    const values = Array.isArray(s.enum) ? s.enum : s.const !== undefined ? [s.const] : null;
    if (values && values.every((v) => typeof v === 'string')) return { ...base, control: 'enum' as const, options: values as string[] };
    if (s.type === 'string') return { ...base, control: 'text' as const };
    const variants = ((s.anyOf ?? s.oneOf) as unknown[] | undefined)?.filter(isObj).filter((v) => v.type !== 'null');
    if (variants && variants.length > 1 && variants.every(primitive)) return { ...base, control: 'text' as const, numberOrText: variants.some((v) => v.type !== 'string') };
    if (s.type === 'number' || s.type === 'integer') {
      return {
        ...base,
        control: 'number' as const,
        integer: s.type === 'integer',
        min: typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : undefined,
        max: typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : undefined,
      };
    }
    if (s.type === 'boolean') return { ...base, control: 'boolean' as const };
    if (s.type === 'array' && isObj(s.items) && unwrap(s.items).type === 'string') return { ...base, control: 'list' as const };
    return { ...base, control: 'json' as const, example: exampleOf(s) };
  });
}

/** Form values for stored options (or the schema's defaults for a new engine). */
export function optionFormValues(fields: OptionField[], stored: Json = {}): OptionValues {
  const out: OptionValues = {};
  for (const f of fields) {
    const v = stored[f.key] !== undefined ? stored[f.key] : f.defaultValue;
    if (f.control === 'boolean') out[f.key] = v === true;
    else if (v === undefined || v === null) out[f.key] = '';
    else if (f.control === 'list') out[f.key] = Array.isArray(v) ? v.join(', ') : String(v);
    else if (f.control === 'json') out[f.key] = JSON.stringify(v, null, 2);
    else out[f.key] = String(v);
  }
  return out;
}

/** Options for the API from the form; `errors` gets a message per field that is not valid. */
export function optionsFromForm(fields: OptionField[], values: OptionValues, errors: Record<string, string>): Json {
  const out: Json = {};
  for (const f of fields) {
    const v = values[f.key];
    if (f.control === 'boolean') {
      out[f.key] = v === true;
      continue;
    }
    const s = typeof v === 'string' ? v.trim() : '';
    if (s === '') {
      if (f.required) errors[f.key] = `Enter ${f.label.toLowerCase()}.`;
      continue;
    }
    if (f.control === 'number') {
      const n = Number(s);
      if (!Number.isFinite(n) || (f.integer && !Number.isInteger(n))) errors[f.key] = f.integer ? 'Use a whole number.' : 'Use a number.';
      else if (f.min !== undefined && n < f.min) errors[f.key] = `Use ${f.min} or more.`;
      else if (f.max !== undefined && n > f.max) errors[f.key] = `Use ${f.max} or less.`;
      else out[f.key] = n;
    } else if (f.control === 'list') {
      out[f.key] = s.split(',').map((x) => x.trim()).filter(Boolean);
    } else if (f.control === 'json') {
      try {
        out[f.key] = JSON.parse(s) as unknown;
      } catch {
        errors[f.key] = 'This is not valid JSON.';
      }
    } else {
      out[f.key] = f.numberOrText && /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
    }
  }
  return out;
}

/** The fields, registered as `options.<key>` in the surrounding react-hook-form. */
export function OptionsFields<T extends FieldValues>({ fields, idPrefix }: { fields: OptionField[]; idPrefix: string }) {
  const { register, formState, control } = useFormContext<T>();
  if (fields.length === 0) return null;
  const name = (key: string) => `options.${key}` as Path<T>;
  return (
    <fieldset className="flex flex-col gap-4 rounded-lg border p-4">
      <legend className="px-1 text-sm font-medium">Options</legend>
      {fields.map((f) => {
        const id = `${idPrefix}-opt-${f.key}`;
        const error = errorAt(formState.errors, `options.${f.key}`);
        if (f.control === 'boolean') {
          return (
            <div key={f.key} className="flex flex-col gap-1">
              <div className="flex items-center gap-2">
                <Controller
                  control={control}
                  name={name(f.key)}
                  render={({ field }) => (
                    <Checkbox
                      id={id}
                      ref={field.ref}
                      checked={field.value === true}
                      onCheckedChange={(v) => field.onChange(v === true)}
                      onBlur={field.onBlur}
                      aria-describedby={f.description ? `${id}-hint` : undefined}
                    />
                  )}
                />
                <Label htmlFor={id} className="font-normal">
                  {f.label}
                </Label>
              </div>
              {f.description ? (
                <p id={`${id}-hint`} className="text-xs text-muted-foreground">
                  {f.description}
                </p>
              ) : null}
              {error ? (
                <p className="text-sm font-medium text-destructive" role="alert">
                  {error}
                </p>
              ) : null}
            </div>
          );
        }
        return (
          <Field key={f.key} id={id} label={f.label} hint={f.description} error={error} required={f.required}>
            {f.control === 'enum' ? (
              <NativeSelect {...register(name(f.key))}>
                {f.required ? null : <option value="">Default</option>}
                {f.options!.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </NativeSelect>
            ) : f.control === 'json' ? (
              <Textarea rows={2} spellCheck={false} className="font-mono text-xs" placeholder={f.example ? `JSON, e.g. ${f.example}` : 'JSON'} {...register(name(f.key))} />
            ) : (
              <Input
                inputMode={f.control === 'number' ? 'decimal' : undefined}
                autoComplete="off"
                spellCheck={false}
                placeholder={f.control === 'list' ? 'Separate with commas' : undefined}
                {...register(name(f.key))}
              />
            )}
          </Field>
        );
      })}
    </fieldset>
  );
}
