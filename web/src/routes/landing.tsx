import { Link } from '@tanstack/react-router';
import {
  CalendarClockIcon,
  CameraIcon,
  CheckIcon,
  FileTextIcon,
  ImageIcon,
  InboxIcon,
  SparklesIcon,
  TerminalIcon,
  UserRoundCheckIcon,
  UsersIcon,
  VaultIcon,
} from 'lucide-react';
import { Button } from '@/components/ui/button';
import { usePublicMe } from '@/lib/auth';
import { useTitle } from '@/lib/hooks';

/** What the studio does today. */
const features = [
  {
    icon: UserRoundCheckIcon,
    title: 'Accounts',
    text: 'Sign up, verify your email (offline installs read it from the admin outbox), see and sign out your sessions. The first account administers the studio.',
  },
  {
    icon: UsersIcon,
    title: 'Characters with persona and appearance',
    text: 'Name, handle, age, bio; traits, tone, topics, taboo subjects, warmth and flirt level; hair, eyes, style and named looks. Start from a template and be done in under a minute.',
  },
  {
    icon: CameraIcon,
    title: 'Reference photos',
    text: 'Keep each character’s reference photos. Location and camera metadata are stripped on upload; faces are measured so new images can be compared with them.',
  },
  {
    icon: FileTextIcon,
    title: 'Prompt export',
    text: 'Export a character as a system prompt for any chat model and as image prompts (one per look) for the image engine you already use.',
  },
  {
    icon: VaultIcon,
    title: 'Media vault with safety gates',
    text: 'Upload images, video and audio: each file is rated, checked for faces and apparent age, compared with the reference photos, and approved by your rules or waits in a keyboard review queue.',
  },
  {
    icon: TerminalIcon,
    title: 'An API for everything',
    text: 'Everything the web app does goes through a documented HTTP API (OpenAPI), so scripts and other tools can use the studio too.',
  },
];

/** On the way; marked as such everywhere on this page. */
const coming = [
  {
    icon: ImageIcon,
    title: 'Generation',
    text: 'Character-consistent images, video, captions and voice from engines you run yourself — ComfyUI, Ollama or any OpenAI-compatible server, local TTS.',
  },
  {
    icon: CalendarClockIcon,
    title: 'Publishing and scheduling',
    text: 'A calendar per character and publishing through each platform’s official API, with the platform’s AI labels set.',
  },
  {
    icon: InboxIcon,
    title: 'Inbox',
    text: 'Comments, messages and mentions from every account in one place, with reply drafts in the character’s voice.',
  },
];

const safety = [
  'Every character is an adult (18 or older), and looks like one in every image prompt.',
  'A character whose prompts pair sexual terms with minor-related ones cannot be saved.',
  'Every vault image is rated by a local model; explicit content with a young-looking or unaged face is blocked, and nobody can approve it.',
  'Adult content is off until you turn it on, for your account and for each character.',
  'Uploads lose their location and camera metadata (EXIF, GPS) before they are stored.',
];

function ComingBadge() {
  return (
    <span className="inline-flex items-center rounded-full border border-primary/40 bg-accent px-2 py-0.5 text-xs font-medium text-accent-foreground" data-testid="coming-badge">
      Coming
    </span>
  );
}

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
            Create AI characters with a consistent persona and look, keep their reference photos, export them as prompts for the models you
            use, and check every image, video and audio file in a media vault with safety gates and a review queue.
          </p>
          <p className="mt-3 max-w-2xl text-sm text-pretty text-muted-foreground">
            Coming next: generation through your own engines, publishing and scheduling through official platform APIs, and one inbox for
            comments and messages.
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
          What works today
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

      <section aria-labelledby="coming-title" className="mx-auto max-w-6xl px-4 pb-16 sm:px-6">
        <h2 id="coming-title" className="text-2xl font-bold tracking-tight sm:text-3xl">
          Coming next
        </h2>
        <p className="mt-3 max-w-2xl text-muted-foreground">Not in the studio yet. They are being built in the open, on top of what is above.</p>
        <ul className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {coming.map((f) => (
            <li key={f.title} className="rounded-xl border border-dashed bg-muted/40 p-6">
              <div className="flex items-center justify-between gap-2">
                <f.icon className="size-6 text-muted-foreground" aria-hidden="true" />
                <ComingBadge />
              </div>
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
              The rules that keep you, your audience and the platforms safe are part of the product, not an afterthought. Recorded consent
              for a real person’s likeness and platform AI labels arrive with digital twins and publishing.
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
          One command starts everything — the web app, the API, background workers and an embedded database. No external services needed.
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
    { name: 'Mia Rossi', handle: 'mia.rossi', color: 'bg-amber-200 text-amber-950', status: 'Active', post: 'Travel · 3 looks · 6 photos' },
    { name: 'Kai Tanaka', handle: 'kai.builds', color: 'bg-sky-200 text-sky-950', status: 'Active', post: 'Tech · 2 looks · 4 photos' },
    { name: 'Noor Haddad', handle: 'noor.cooks', color: 'bg-emerald-200 text-emerald-950', status: 'Paused', post: 'Cooking · 2 looks · 5 photos' },
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
                <span className="block truncate text-xs text-muted-foreground">{r.post}</span>
              </span>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${r.status === 'Active' ? 'bg-success/10 text-success' : 'bg-warning/10 text-warning'}`}>{r.status}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
