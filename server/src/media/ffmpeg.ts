// Video and audio derivatives through the ffmpeg/ffprobe binaries: probe, poster frame,
// short muted preview and audio waveform.
//
// Binaries (resolveFfmpeg): an explicit path, else `ffmpeg`/`ffprobe` on PATH, else the
// static builds shipped by @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (on
// linux-x64: ffmpeg N-47683 from 2018-12, ffprobe N-66595 from 2023; both johnvansickle.com
// static builds with libx264, libvpx, libaom, libwebp and libopus).
//
// Safety: processes are spawned with argument arrays (no shell), with a timeout, and the
// input is always given as `file:<absolute path>` with `-protocol_whitelist file`, so a
// file name cannot select a protocol. probe() refuses playlist-like formats (HLS, concat,
// DASH manifests, SDP…) whose demuxers open further files, and every derivative probes its
// input first. Pass files whose names the vault chose: the image2 demuxer expands `%d`
// patterns in names. Outputs carry no metadata (`-map_metadata -1`, no chapters).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

export type MediaTools = { ffmpeg: string; ffprobe: string };

export class MediaToolError extends Error {
  readonly tool: string;
  readonly exitCode: number | null;
  /** The last lines ffmpeg/ffprobe wrote to stderr. */
  readonly stderrTail: string;
  constructor(message: string, tool: string, exitCode: number | null, stderrTail: string) {
    super(message);
    this.name = 'MediaToolError';
    this.tool = tool;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, searchPath: string): string | undefined {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function installed(pkg: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const p = (require(pkg) as { path?: string }).path;
    return p && isExecutable(p) ? p : undefined;
  } catch {
    return undefined; // the installer packages throw when their platform binary is missing
  }
}

/** Finds ffmpeg and ffprobe: explicit path, then PATH, then the npm installer packages. */
export function resolveFfmpeg(opts: { ffmpegPath?: string; ffprobePath?: string; searchPath?: string } = {}): MediaTools {
  const pick = (name: 'ffmpeg' | 'ffprobe', explicit: string | undefined, pkg: string) => {
    if (explicit) {
      if (!isExecutable(explicit)) throw new Error(`${name} not found or not executable at ${explicit}`);
      return explicit;
    }
    const found = onPath(name, opts.searchPath ?? '') ?? installed(pkg);
    if (!found) throw new Error(`${name} not found: not on PATH and ${pkg} has no binary for ${process.platform}-${process.arch}; install ${name} or configure its path`);
    return found;
  };
  return {
    ffmpeg: pick('ffmpeg', opts.ffmpegPath, '@ffmpeg-installer/ffmpeg'),
    ffprobe: pick('ffprobe', opts.ffprobePath, '@ffprobe-installer/ffprobe'),
  };
}

let defaultTools: MediaTools | undefined;
function toolsOf(opts: { tools?: MediaTools }): MediaTools {
  return opts.tools ?? (defaultTools ??= resolveFfmpeg());
}

type RunOptions = { timeoutMs: number; onStdout?: (chunk: Buffer) => void; maxStdoutBytes?: number };

function tail(stderr: string, lines = 6): string {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join('\n');
}

/** Runs a binary without a shell; resolves with stdout (unless streamed) and stderr. */
function run(bin: string, args: string[], opts: RunOptions): Promise<{ stdout: Buffer; stderr: string }> {
  const tool = path.basename(bin);
  const max = opts.maxStdoutBytes ?? 256 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `${tool} timed out after ${opts.timeoutMs} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (opts.onStdout) return opts.onStdout(chunk);
      size += chunk.length;
      if (size > max) {
        failure = `${tool} produced more than ${max} bytes`;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 64 * 1024) stderr = stderr.slice(-16 * 1024);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new MediaToolError(`cannot run ${bin}: ${err.message}`, tool, null, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = tail(stderr);
      if (failure || code !== 0) {
        const why = failure ?? `${tool} failed (${code === null ? `signal ${signal}` : `exit ${code}`})`;
        reject(new MediaToolError(last ? `${why}: ${last}` : why, tool, code, last));
      } else {
        resolve({ stdout: Buffer.concat(chunks), stderr });
      }
    });
  });
}

const encoderCache = new Map<string, Promise<Set<string>>>();

/** Names of the encoders an ffmpeg binary was built with (cached per binary). */
export function ffmpegEncoders(tools: MediaTools = toolsOf({})): Promise<Set<string>> {
  let cached = encoderCache.get(tools.ffmpeg);
  if (!cached) {
    cached = run(tools.ffmpeg, ['-hide_banner', '-encoders'], { timeoutMs: 15_000 }).then(({ stdout }) => {
      const names = new Set<string>();
      for (const line of stdout.toString().split('\n')) {
        const m = /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
        if (m) names.add(m[1]!);
      }
      return names;
    });
    cached.catch(() => encoderCache.delete(tools.ffmpeg));
    encoderCache.set(tools.ffmpeg, cached);
  }
  return cached;
}

/** The first line of `ffmpeg -version` / `ffprobe -version`. */
export async function toolVersions(tools: MediaTools = toolsOf({})): Promise<{ ffmpeg: string; ffprobe: string }> {
  const first = async (bin: string) => (await run(bin, ['-version'], { timeoutMs: 15_000 })).stdout.toString().split('\n')[0]!.trim();
  return { ffmpeg: await first(tools.ffmpeg), ffprobe: await first(tools.ffprobe) };
}

function inputUrl(file: string): string {
  return `file:${path.resolve(file)}`;
}

function assertReadable(file: string) {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new Error(`media file not found: ${file}`);
  }
  if (!stat.isFile()) throw new Error(`not a file: ${file}`);
  if (stat.size === 0) throw new Error(`empty file: ${file}`);
}

export type ProbeResult = {
  kind: 'video' | 'audio' | 'image';
  /** Seconds; null for still images and when the container does not say. */
  durationSeconds: number | null;
  /** Display size (rotation applied); null for audio. */
  width: number | null;
  height: number | null;
  /** Codec of the main stream: the video stream, else the audio stream. */
  codec: string;
  hasAudio: boolean;
  /** ffprobe's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
};

// Demuxers that read other files or URLs named inside the input.
const REFUSED_FORMATS = new Set(['hls', 'applehttp', 'concat', 'ffconcat', 'dash', 'webm_dash_manifest', 'sdp', 'rtp', 'rtsp', 'tty', 'lavfi']);
// Demuxers for still images (ffprobe reports them as a one-frame video stream).
const IMAGE_FORMAT = /^(image2|[a-z0-9]+_pipe|gif|apng|webp)$/;

type FfStream = {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
};

function num(v: unknown): number | null {
  const n = typeof v === 'string' ? parseFloat(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : null;
}

/** What a media file is: kind, duration, display size, main codec, audio presence. */
export async function probe(file: string, opts: { tools?: MediaTools; timeoutMs?: number } = {}): Promise<ProbeResult> {
  assertReadable(file);
  const tools = toolsOf(opts);
  const { stdout } = await run(
    tools.ffprobe,
    ['-v', 'error', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', inputUrl(file)],
    { timeoutMs: opts.timeoutMs ?? 30_000 },
  );
  const json = JSON.parse(stdout.toString()) as { format?: { format_name?: string; duration?: string }; streams?: FfStream[] };
  const formatName = json.format?.format_name ?? '';
  const names = formatName.split(',');
  if (names.some((n) => REFUSED_FORMATS.has(n))) throw new Error(`refused media format "${formatName}" (it references other files): ${file}`);
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const main = video ?? audio;
  if (!main) throw new Error(`no audio or video stream in ${file} (format ${formatName || 'unknown'})`);
  const kind = video ? (names.some((n) => IMAGE_FORMAT.test(n)) ? 'image' : 'video') : 'audio';
  let width = video?.width ?? null;
  let height = video?.height ?? null;
  const rotation = num(video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation) ?? num(video?.tags?.rotate) ?? 0;
  if (Math.abs(rotation) % 180 === 90) [width, height] = [height, width];
  const durationSeconds = kind === 'image' ? null : (num(json.format?.duration) ?? num(main.duration));
  return { kind, durationSeconds, width, height, codec: main.codec_name ?? 'unknown', hasAudio: !!audio, formatName };
}

async function probeVideo(file: string, opts: { tools?: MediaTools }): Promise<ProbeResult> {
  const info = await probe(file, opts);
  if (info.kind !== 'video') throw new Error(`not a video (${info.kind}, ${info.codec}): ${file}`);
  return info;
}

// Square pixels: stretch anamorphic video to its display aspect.
const SQUARE_PIXELS = 'scale=w=iw*sar:h=ih,setsar=1';

/**
 * A JPEG of one frame at 10 % of the duration (1 s when the duration is unknown; the first
 * frame for clips too short for that), at the video's display size, without metadata.
 */
export async function posterFrame(videoFile: string, opts: { tools?: MediaTools; timeoutMs?: number; quality?: number } = {}): Promise<Buffer> {
  const tools = toolsOf(opts);
  const info = await probeVideo(videoFile, { tools });
  const d = info.durationSeconds;
  const at = d === null ? 1 : d * 0.1;
  const grab = async (seconds: number) =>
    (
      await run(
        tools.ffmpeg,
        ['-v', 'error', '-nostdin', '-protocol_whitelist', 'file', '-ss', seconds.toFixed(3), '-i', inputUrl(videoFile), '-map', '0:v:0', '-frames:v', '1', '-an', '-sn', '-dn', '-map_metadata', '-1', '-vf', SQUARE_PIXELS, '-c:v', 'png', '-f', 'image2pipe', 'pipe:1'],
        { timeoutMs: opts.timeoutMs ?? 60_000 },
      )
    ).stdout;
  let png = await grab(at);
  if (png.length === 0 && at > 0) png = await grab(0); // seeking past the last frame yields nothing
  if (png.length === 0) throw new Error(`no frame could be decoded from ${videoFile}`);
  return sharp(png).jpeg({ quality: opts.quality ?? 85 }).toBuffer();
}

export type PreviewCodec = 'h264' | 'vp9' | 'vp8';
export type PreviewResult = {
  path: string;
  codec: PreviewCodec;
  container: 'mp4' | 'webm';
  mimeType: string;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
};

const CODECS: Record<PreviewCodec, { encoder: string; container: 'mp4' | 'webm'; mimeType: string; args: string[] }> = {
  // Plays in every browser; main profile, yuv420p, moov atom first for progressive playback.
  h264: {
    encoder: 'libx264',
    container: 'mp4',
    mimeType: 'video/mp4',
    args: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-profile:v', 'main', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4'],
  },
  // Fallbacks when the build lacks libx264 (e.g. a distribution build without GPL parts):
  // WebM plays in Chrome, Firefox, Edge and current Safari.
  vp9: {
    encoder: 'libvpx-vp9',
    container: 'webm',
    mimeType: 'video/webm',
    args: ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '38', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-pix_fmt', 'yuv420p', '-f', 'webm'],
  },
  vp8: {
    encoder: 'libvpx',
    container: 'webm',
    mimeType: 'video/webm',
    args: ['-c:v', 'libvpx', '-b:v', '600k', '-crf', '12', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p', '-f', 'webm'],
  },
};

/** The preview codec a binary supports: H.264 when it has libx264, else VP9, else VP8. */
export async function previewCodec(tools: MediaTools = toolsOf({}), prefer?: PreviewCodec): Promise<PreviewCodec> {
  const encoders = await ffmpegEncoders(tools);
  const order: PreviewCodec[] = prefer ? [prefer, 'h264', 'vp9', 'vp8'] : ['h264', 'vp9', 'vp8'];
  const codec = order.find((c) => encoders.has(CODECS[c].encoder));
  if (!codec) throw new Error(`${tools.ffmpeg} has none of libx264, libvpx-vp9, libvpx: cannot make a browser-playable preview`);
  return codec;
}

/**
 * A short muted preview of a video: the first `maxSeconds`, at most `width` pixels wide
 * (never upscaled), no audio, no metadata. H.264/MP4 when available, else WebM; the result
 * says which, so store its mimeType (the container does not follow outFile's extension).
 */
export async function videoPreview(
  videoFile: string,
  outFile: string,
  opts: { maxSeconds?: number; width?: number; codec?: PreviewCodec; tools?: MediaTools; timeoutMs?: number } = {},
): Promise<PreviewResult> {
  const tools = toolsOf(opts);
  await probeVideo(videoFile, { tools });
  const maxSeconds = opts.maxSeconds ?? 3;
  const width = Math.max(2, Math.round(opts.width ?? 320));
  const codec = await previewCodec(tools, opts.codec);
  const spec = CODECS[codec];
  const vf = `${SQUARE_PIXELS},scale=w='trunc(min(${width},iw)/2)*2':h=-2,setsar=1`;
  try {
    await run(
      tools.ffmpeg,
      ['-v', 'error', '-nostdin', '-y', '-protocol_whitelist', 'file', '-i', inputUrl(videoFile), '-map', '0:v:0', '-t', String(maxSeconds), '-an', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1', '-vf', vf, ...spec.args, path.resolve(outFile)],
      { timeoutMs: opts.timeoutMs ?? 120_000 },
    );
  } catch (err) {
    fs.rmSync(outFile, { force: true });
    throw err;
  }
  const out = await probe(outFile, { tools });
  return { path: outFile, codec, container: spec.container, mimeType: spec.mimeType, durationSeconds: out.durationSeconds, width: out.width, height: out.height };
}

const WAVE_RATE = 16_000;
const BLOCK_SAMPLES = 160; // 10 ms

/**
 * Peak amplitudes (0..1) of an audio file — or a video's first audio track — in `points`
 * equal slices, from mono 16-bit PCM decoded by ffmpeg, plus the decoded duration.
 */
export async function audioWaveform(
  audioFile: string,
  opts: { points?: number; tools?: MediaTools; timeoutMs?: number } = {},
): Promise<{ peaks: number[]; durationSeconds: number }> {
  const points = opts.points ?? 200;
  if (!Number.isInteger(points) || points < 1) throw new Error(`points must be a positive integer, got ${points}`);
  const tools = toolsOf(opts);
  const info = await probe(audioFile, { tools });
  if (!info.hasAudio) throw new Error(`no audio stream in ${audioFile}`);
  // Peaks of 10 ms blocks, kept while streaming so long files never sit in memory as PCM.
  const blocks: number[] = [];
  let blockPeak = 0;
  let inBlock = 0;
  let samples = 0;
  let carry: Buffer | null = null;
  const onStdout = (chunk: Buffer) => {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const whole = buf.length - (buf.length % 2);
    carry = whole < buf.length ? buf.subarray(whole) : null;
    for (let o = 0; o < whole; o += 2) {
      const v = Math.abs(buf.readInt16LE(o));
      if (v > blockPeak) blockPeak = v;
      if (++inBlock === BLOCK_SAMPLES) {
        blocks.push(blockPeak);
        blockPeak = 0;
        inBlock = 0;
      }
    }
    samples += whole / 2;
  };
  await run(
    tools.ffmpeg,
    ['-v', 'error', '-nostdin', '-protocol_whitelist', 'file', '-i', inputUrl(audioFile), '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(WAVE_RATE), '-c:a', 'pcm_s16le', '-f', 's16le', 'pipe:1'],
    { timeoutMs: opts.timeoutMs ?? 120_000, onStdout },
  );
  if (inBlock > 0) blocks.push(blockPeak);
  const n = blocks.length;
  const peaks: number[] = [];
  for (let i = 0; i < points; i++) {
    const start = Math.floor((i * n) / points);
    const end = Math.max(start + 1, Math.floor(((i + 1) * n) / points));
    let peak = 0;
    for (let b = start; b < end && b < n; b++) peak = Math.max(peak, blocks[b]!);
    peaks.push(Math.min(1, peak / 32768));
  }
  return { peaks, durationSeconds: samples / WAVE_RATE };
}

/**
 * Copies a video or audio file's streams into `outFile` without any metadata (no GPS or
 * device atoms, no ID3 tags, no chapters): the stored original of an upload. Streams are not
 * re-encoded. The container is chosen from `outFile`'s extension.
 */
export async function stripMediaMetadata(inFile: string, outFile: string, opts: { tools?: MediaTools; timeoutMs?: number } = {}): Promise<void> {
  const tools = toolsOf(opts);
  await probe(inFile, { tools });
  try {
    await run(
      tools.ffmpeg,
      ['-v', 'error', '-nostdin', '-y', '-protocol_whitelist', 'file', '-i', inputUrl(inFile), '-map', '0', '-c', 'copy', '-map_metadata', '-1', '-map_metadata:s', '-1', '-map_chapters', '-1', '-fflags', '+bitexact', path.resolve(outFile)],
      { timeoutMs: opts.timeoutMs ?? 300_000 },
    );
  } catch (err) {
    fs.rmSync(outFile, { force: true });
    throw err;
  }
}
