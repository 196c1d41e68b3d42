import { Link } from '@tanstack/react-router';
import { CoinsIcon, ServerCogIcon, WorkflowIcon, SlidersHorizontalIcon, UserIcon } from 'lucide-react';
import { useMe } from '@/lib/auth';

const item =
  'inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium whitespace-nowrap text-muted-foreground transition-colors hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring sm:px-3 [&_svg]:size-4';
const active = 'bg-background text-foreground shadow-sm';

/** The settings pages: account, engines, workflows, credits (and the credit settings of the studio, for administrators). */
function SettingsNav() {
  const admin = useMe()?.user.role === 'admin';
  return (
    <nav aria-label="Settings sections">
      <ul className="inline-flex max-w-full flex-wrap items-center gap-1 rounded-lg bg-muted p-1">
        <li>
          <Link to="/app/settings" className={item} activeOptions={{ exact: true }} activeProps={{ className: active, 'aria-current': 'page' }}>
            <UserIcon aria-hidden="true" /> Account
          </Link>
        </li>
        <li>
          <Link to="/app/settings/engines" className={item} activeProps={{ className: active, 'aria-current': 'page' }}>
            <ServerCogIcon aria-hidden="true" /> Engines
          </Link>
        </li>
        <li>
          <Link to="/app/settings/workflows" className={item} activeProps={{ className: active, 'aria-current': 'page' }}>
            <WorkflowIcon aria-hidden="true" /> Workflows
          </Link>
        </li>
        <li>
          <Link to="/app/settings/credits" className={item} activeProps={{ className: active, 'aria-current': 'page' }}>
            <CoinsIcon aria-hidden="true" /> Credits
          </Link>
        </li>
        {admin ? (
          <li>
            <Link to="/app/admin/credits" className={item} activeProps={{ className: active, 'aria-current': 'page' }}>
              <SlidersHorizontalIcon aria-hidden="true" /> Credit settings
              <span className="sr-only"> (administrators)</span>
            </Link>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** The heading block of a settings page, with the sections nav under it. */
export function SettingsHeader({ title, description }: { title: string; description: string }) {
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">{title}</h1>
        <p className="mt-1 text-sm text-muted-foreground">{description}</p>
      </div>
      <SettingsNav />
    </div>
  );
}
