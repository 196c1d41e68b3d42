import { Link } from '@tanstack/react-router';
import { MoonIcon, SunIcon } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { useTheme } from '@/lib/theme';

/** `compact`: below the lg breakpoint the name is left to the link's label (the app header needs the room). */
export function Logo({ to = '/', compact = false }: { to?: '/' | '/app'; compact?: boolean }) {
  return (
    <Link to={to} className="flex items-center gap-2 rounded-md font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-ring" aria-label="AInfluencer home">
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path d="M9 23l5.5-14h3L23 23h-3.2l-1.2-3.4h-5.3L12.1 23zm5-6h3.6L15.8 11.8z" className="fill-primary-foreground" />
      </svg>
      <span className={compact ? 'text-base max-lg:hidden' : 'text-base'}>AInfluencer</span>
    </Link>
  );
}

export function ThemeToggle() {
  const { resolved, setPref } = useTheme();
  const next = resolved === 'dark' ? 'light' : 'dark';
  return (
    <Button variant="ghost" size="icon" aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`} onClick={() => setPref(next)}>
      {resolved === 'dark' ? <SunIcon aria-hidden="true" /> : <MoonIcon aria-hidden="true" />}
    </Button>
  );
}

export function SkipLink() {
  return (
    <a
      href="#main"
      className="sr-only z-[100] rounded-md bg-primary px-4 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      onClick={(e) => {
        const main = document.getElementById('main');
        if (main) {
          e.preventDefault();
          main.focus();
          main.scrollIntoView();
        }
      }}
    >
      Skip to main content
    </a>
  );
}

export function Footer() {
  return (
    <footer className="border-t">
      <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-6 text-sm text-muted-foreground sm:flex-row sm:items-center sm:justify-between sm:px-6">
        <p>AInfluencer — free and open-source (AGPL-3.0), self-hosted.</p>
        <nav aria-label="Footer" className="flex gap-4">
          <a href="/api/docs" className="underline-offset-4 hover:text-foreground hover:underline">
            API reference
          </a>
          <a href="https://www.gnu.org/licenses/agpl-3.0.html" className="underline-offset-4 hover:text-foreground hover:underline" rel="noreferrer">
            License
          </a>
        </nav>
      </div>
    </footer>
  );
}
