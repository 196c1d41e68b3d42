import { Link } from '@tanstack/react-router';
import {
  CalendarClockIcon,
  CheckIcon,
  ImageIcon,
  InboxIcon,
  ShieldCheckIcon,
  SparklesIcon,
  TerminalIcon,
  UsersIcon,
  VaultIcon,
} from 'lucide-react';
import { Button } from '@/components/ui/button';
import { usePublicMe } from '@/lib/auth';
import { useTitle } from '@/lib/hooks';

const features = [
  {
    icon: UsersIcon,
    title: 'Characters & personas',
    text: 'Give each character a name, a look and a voice: traits, tone, topics, taboo subjects and how warm or playful it sounds. Start from a template and be done in under a minute.',
  },
  {
    icon: ImageIcon,
    title: 'Consistent images, video and voice',
    text: 'Character-consistent media from the engines you already run: ComfyUI for images and video, Ollama or any OpenAI-compatible server for text, local TTS servers for voice.',
  },
  {
    icon: VaultIcon,
    title: 'Media vault with approval',
    text: 'Everything generated lands in one vault, rated and tagged. Nothing goes out until you (or a rule you wrote) approve it.',
  },
  {
    icon: CalendarClockIcon,
    title: 'Scheduling via official APIs',
    text: 'Plan a week of posts per character and publish through each platform’s official API — never twice, never lost.',
  },
  {
    icon: InboxIcon,
    title: 'Unified inbox',
    text: 'Comments, messages and mentions from every account in one place, with reply drafts written in the character’s voice.',
  },
  {
    icon: ShieldCheckIcon,
    title: 'Safety built in',
    text: 'Recorded consent for any real person’s likeness, AI disclosure by default, adult content only where allowed — and no minors, ever.',
  },
];

const safety = [
  'Digital twins of real people only with their recorded, revocable consent.',
  'AI disclosure by default: provenance metadata and platform AI labels.',
  'Every character is an adult; prompts and images are screened for minors.',
  'Official platform APIs only — no scraping, no fingerprint spoofing.',
];

export function LandingPage() {
  useTitle('');
  const me = usePublicMe();
  return (
    <>
      <section className="border-b bg-gradient-to-b from-accent/60 to-background">
        <div className="mx-auto grid max-w-6xl items-center gap-12 px-4 py-16 sm:px-6 sm:py-24 lg:grid-cols-[minmax(0,1fr)_24rem]">
          <div>
          <p className="inline-flex items-center gap-2 rounded-full border bg-background px-3 py-1 text-xs font-medium text-muted-foreground">
            <SparklesIcon className="size-3.5 text-primary" aria-hidden="true" />
            Free and open-source (AGPL-3.0), self-hosted
          </p>
          <h1 className="mt-6 max-w-3xl text-4xl font-bold tracking-tight text-balance sm:text-5xl">
            A studio for AI characters that runs on your own machine
          </h1>
          <p className="mt-5 max-w-2xl text-lg text-pretty text-muted-foreground">
            AInfluencer lets you create AI influencers with a consistent persona and look, generate their images, video and voice,
            approve everything in a media vault, schedule posts through official APIs and answer fans from one inbox.
          </p>
          <div className="mt-8 flex flex-wrap gap-3">
            {me ? (
              <Button asChild size="lg">
                <Link to="/app">Open dashboard</Link>
              </Button>
            ) : (
              <>
                <Button asChild size="lg">
                  <Link to="/register">Sign up</Link>
                </Button>
                <Button asChild size="lg" variant="outline">
                  <Link to="/login">Log in</Link>
                </Button>
              </>
            )}
          </div>
          </div>
          <HeroPreview />
        </div>
      </section>

      <section aria-labelledby="features-title" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
        <h2 id="features-title" className="text-2xl font-bold tracking-tight sm:text-3xl">
          Everything a character needs
        </h2>
        <ul className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {features.map((f) => (
            <li key={f.title} className="rounded-xl border bg-card p-6 shadow-sm">
              <f.icon className="size-6 text-primary" aria-hidden="true" />
              <h3 className="mt-4 font-semibold">{f.title}</h3>
              <p className="mt-2 text-sm leading-relaxed text-muted-foreground">{f.text}</p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="safety-title" className="border-y bg-muted/50">
        <div className="mx-auto grid max-w-6xl gap-8 px-4 py-16 sm:px-6 md:grid-cols-2">
          <div>
            <h2 id="safety-title" className="text-2xl font-bold tracking-tight sm:text-3xl">
              Safe by default
            </h2>
            <p className="mt-3 text-muted-foreground">
              The rules that keep you, your audience and the platforms safe are part of the product, not an afterthought.
            </p>
          </div>
          <ul className="flex flex-col gap-3">
            {safety.map((s) => (
              <li key={s} className="flex gap-3">
                <CheckIcon className="mt-0.5 size-5 shrink-0 text-success" aria-hidden="true" />
                <span>{s}</span>
              </li>
            ))}
          </ul>
        </div>
      </section>

      <section aria-labelledby="start-title" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
        <h2 id="start-title" className="text-2xl font-bold tracking-tight sm:text-3xl">
          Getting started
        </h2>
        <p className="mt-3 max-w-2xl text-muted-foreground">
          One command starts everything — API, workers, scheduler and an embedded database. No external services needed.
        </p>
        <ol className="mt-8 grid gap-4 md:grid-cols-2">
          <li className="rounded-xl border bg-card p-6">
            <p className="font-semibold">1. Start the studio</p>
            <pre className="mt-3 overflow-x-auto rounded-lg bg-muted px-4 py-3 text-sm">
              <code>
                <TerminalIcon className="mr-2 inline size-4 align-[-2px] text-muted-foreground" aria-hidden="true" />
                ./ainfluencer start
              </code>
            </pre>
            <p className="mt-3 text-sm text-muted-foreground">Then open the address it prints and sign up.</p>
          </li>
          <li className="rounded-xl border bg-card p-6">
            <p className="font-semibold">2. Check your installation</p>
            <pre className="mt-3 overflow-x-auto rounded-lg bg-muted px-4 py-3 text-sm">
              <code>
                <TerminalIcon className="mr-2 inline size-4 align-[-2px] text-muted-foreground" aria-hidden="true" />
                ./ainfluencer test
              </code>
            </pre>
            <p className="mt-3 text-sm text-muted-foreground">Runs the test suite to confirm everything works on your machine.</p>
          </li>
        </ol>
      </section>
    </>
  );
}

/** Decorative sketch of the studio; hidden from assistive technology. */
function HeroPreview() {
  const rows = [
    { name: 'Mia Rossi', handle: 'mia.rossi', color: 'bg-amber-200 text-amber-950', status: 'Active', post: 'Tue 09:30 · Lisbon tram at sunrise' },
    { name: 'Kai Tanaka', handle: 'kai.builds', color: 'bg-sky-200 text-sky-950', status: 'Active', post: 'Tue 12:00 · 3 apps I deleted this week' },
    { name: 'Noor Haddad', handle: 'noor.cooks', color: 'bg-emerald-200 text-emerald-950', status: 'Paused', post: 'Wed 18:15 · 20-minute lentil soup' },
  ];
  return (
    <div aria-hidden="true" className="hidden lg:block">
      <div className="rotate-1 rounded-2xl border bg-card p-4 shadow-xl">
        <div className="mb-3 flex items-center justify-between px-1">
          <span className="text-sm font-semibold">Characters</span>
          <span className="inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs text-muted-foreground">
            <span className="size-2 rounded-full bg-success" /> Live
          </span>
        </div>
        <ul className="flex flex-col gap-2">
          {rows.map((r) => (
            <li key={r.handle} className="flex items-center gap-3 rounded-xl border bg-background p-3">
              <span className={`flex size-10 items-center justify-center rounded-full text-sm font-semibold ${r.color}`}>
                {r.name.split(' ').map((p) => p[0]).join('')}
              </span>
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm font-medium">{r.name}</span>
                <span className="block truncate text-xs text-muted-foreground">Next: {r.post}</span>
              </span>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${r.status === 'Active' ? 'bg-success/10 text-success' : 'bg-warning/10 text-warning'}`}>{r.status}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
