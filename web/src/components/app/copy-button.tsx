import { CheckIcon, CopyIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';

async function copyText(text: string) {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('copy failed');
}

/** A Copy button that says "Copied" for two seconds (and to screen readers). */
export function CopyButton({ text, label, size = 'sm', className }: { text: string; label: string; size?: 'sm' | 'default'; className?: string }) {
  const [copied, setCopied] = React.useState(false);
  const timer = React.useRef<number | undefined>(undefined);
  React.useEffect(() => () => window.clearTimeout(timer.current), []);
  return (
    <>
      <span role="status" className="sr-only">
        {copied ? 'Copied' : ''}
      </span>
      <Button
        variant="outline"
        size={size}
        className={className}
        aria-label={label}
        onClick={() => {
          copyText(text)
            .then(() => {
              setCopied(true);
              window.clearTimeout(timer.current);
              timer.current = window.setTimeout(() => setCopied(false), 2000);
            })
            .catch(() => toast.error('Could not copy. Select the text and copy it by hand.'));
        }}
      >
        {copied ? <CheckIcon aria-hidden="true" /> : <CopyIcon aria-hidden="true" />}
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </>
  );
}
