// Media building blocks with real sharp and a real ffmpeg (the npm static build when none is
// on PATH): perceptual hashes, provenance XMP without EXIF/GPS, probe/poster/preview/waveform.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAT_HASH, hammingDistance, isLowInformation, isNearDuplicate, perceptualHash, perceptualHashOfPixels, sha256 } from '../src/media/hash.ts';
import { decodeImage, downscale } from '../src/media/image.ts';
import { buildXmp, metadataReport, parseXmpProvenance, readProvenance, writeProvenance } from '../src/media/provenance.ts';
import { audioWaveform, ffmpegEncoders, MediaToolError, posterFrame, previewCodec, probe, resolveFfmpeg, toolVersions, videoPreview, type MediaTools } from '../src/media/ffmpeg.ts';
import { cardSvgs, nearVariants, renderSvg, run, samplePhotos } from './support/media-fixtures.ts';

describe('hashes', () => {
  let images: { name: string; data: Buffer; hash: string }[] = [];

  beforeAll(async () => {
    const raw: [string, Buffer][] = [];
    for (const [name, svg] of Object.entries(cardSvgs)) raw.push([name, await renderSvg(svg)]);
    (await samplePhotos()).forEach((data, i) => raw.push([`photo ${i + 1}`, data]));
    images = await Promise.all(raw.map(async ([name, data]) => ({ name, data, hash: await perceptualHash(data) })));
  }, 30_000);

  it('sha256 is the hex digest of the bytes', () => {
    expect(sha256(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('gives identical images distance 0 and the hash is 16 hex characters', async () => {
    for (const img of images) {
      expect(img.hash).toMatch(/^[0-9a-f]{16}$/);
      expect(await perceptualHash(Buffer.from(img.data))).toBe(img.hash);
      expect(hammingDistance(img.hash, img.hash)).toBe(0);
    }
  });

  it('keeps re-encoded, resized, cropped and brightened copies within the threshold', async () => {
    const rows: string[] = [];
    let worst = 0;
    for (const img of images.filter((i) => !isLowInformation(i.hash))) {
      const cells: string[] = [];
      for (const [variant, data] of Object.entries(await nearVariants(img.data))) {
        const hash = await perceptualHash(data);
        const d = hammingDistance(img.hash, hash);
        cells.push(`${variant}=${d}`);
        worst = Math.max(worst, d);
        expect(isNearDuplicate(img.hash, hash), `${img.name} / ${variant}: ${d} bits`).toBe(true);
      }
      rows.push(`${img.name.padEnd(18)} ${cells.join('  ')}`);
    }
    console.log(`pHash distance to the original (near-duplicates, worst ${worst}):\n${rows.join('\n')}`);
    expect(rows.length).toBeGreaterThanOrEqual(15);
  }, 30_000);

  it('hashes the pixels ingest decoded once like the encoded file, within a few bits', async () => {
    const distances: number[] = [];
    for (const img of images.filter((i) => !isLowInformation(i.hash))) {
      // large enough that the one decode (≤ 1024 px) is a downscale, as for a real photo
      const big = await sharp(img.data).resize(2000).jpeg({ quality: 92 }).toBuffer();
      const pixels = await decodeImage(big, 1024);
      expect(Math.max(pixels.width, pixels.height)).toBe(1024);
      const fileHash = await perceptualHash(big);
      const d = hammingDistance(fileHash, await perceptualHashOfPixels(pixels));
      // the vault hashes the thumbnail-sized pixels (400 px) it also encodes the thumbnail from
      const small = await downscale(pixels, 400);
      expect(Math.max(small.width, small.height)).toBe(400);
      const ds = hammingDistance(fileHash, await perceptualHashOfPixels(small));
      distances.push(d, ds);
      expect(d, img.name).toBeLessThanOrEqual(3);
      expect(ds, `${img.name} at 400 px`).toBeLessThanOrEqual(3);
    }
    console.log(`pHash of decoded pixels (1024 and 400 px) vs of the file: ${distances.join(' ')} bits`);
    expect(distances.length).toBeGreaterThanOrEqual(30);
  }, 30_000);

  it('keeps different images far apart', () => {
    const informative = images.filter((i) => !isLowInformation(i.hash));
    const distances: number[] = [];
    for (let i = 0; i < informative.length; i++) {
      for (let j = i + 1; j < informative.length; j++) {
        const [a, b] = [informative[i]!, informative[j]!];
        const d = hammingDistance(a.hash, b.hash);
        distances.push(d);
        expect(d, `${a.name} vs ${b.name}`).toBeGreaterThanOrEqual(16);
        expect(isNearDuplicate(a.hash, b.hash)).toBe(false);
      }
    }
    distances.sort((x, y) => x - y);
    const median = distances[Math.floor(distances.length / 2)];
    console.log(`pHash distance between different images (${distances.length} pairs): min ${distances[0]}, median ${median}, max ${distances.at(-1)}`);
  });

  it('does not call flat or structureless images near-duplicates of each other', async () => {
    const red = await perceptualHash(await sharp({ create: { width: 200, height: 100, channels: 3, background: '#d00' } }).png().toBuffer());
    const blue = await perceptualHash(await sharp({ create: { width: 64, height: 64, channels: 4, background: '#00f8' } }).webp({ quality: 60 }).toBuffer());
    expect(red).toBe(FLAT_HASH);
    expect(blue).toBe(FLAT_HASH);
    expect(isNearDuplicate(red, blue)).toBe(false);
    const lowInfo = images.filter((i) => isLowInformation(i.hash)).map((i) => i.name);
    expect(lowInfo).toEqual(['gradient-lr', 'gradient-diagonal', 'stripes', 'checker']);
    const [lr, stripes] = [images.find((i) => i.name === 'gradient-lr')!.hash, images.find((i) => i.name === 'stripes')!.hash];
    console.log(`pHash distance gradient vs stripes (low information): ${hammingDistance(lr, stripes)}`);
    expect(isNearDuplicate(lr, stripes)).toBe(false);
  });

  it('rejects malformed hashes', () => {
    expect(() => hammingDistance('abc', '0000000000000000')).toThrow(/not a 64-bit hex hash/);
    expect(() => isNearDuplicate('zzzzzzzzzzzzzzzz', '0000000000000000')).toThrow(/not a 64-bit hex hash/);
  });
});

describe('decodeImage', () => {
  it('decodes once to RGB, oriented, downscaled to fit, never enlarged, and refuses non-images', async () => {
    // 400×200 stored pixels with EXIF orientation 6 (rotate 90° clockwise): 200×400 as seen.
    const rotated = await sharp({ create: { width: 400, height: 200, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } })
      .jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const small = await decodeImage(rotated, 1024);
    expect(small).toMatchObject({ width: 200, height: 400, sourceWidth: 200, sourceHeight: 400 });
    expect(small.data.length).toBe(200 * 400 * 3);
    const scaled = await decodeImage(rotated, 100);
    expect(scaled).toMatchObject({ width: 50, height: 100, sourceWidth: 200, sourceHeight: 400 });
    // alpha is flattened on white: half-transparent red becomes pink, not dark red
    const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const flat = await decodeImage(png, 1024);
    expect(flat.data[0]).toBeGreaterThan(250);
    expect(flat.data[1]).toBeGreaterThan(110);
    expect(flat.data[1]).toBeLessThan(145);
    await expect(decodeImage(Buffer.from('not an image'), 1024)).rejects.toMatchObject({ statusCode: 415 });
  });
});

describe('provenance', () => {
  /** A phone photo with camera, owner name and GPS position in its EXIF, rotated by the flag. */
  const phonePhoto = (format: 'jpeg' | 'png' | 'webp') =>
    sharp({ create: { width: 400, height: 240, channels: 3, background: '#3a7' } })
      .toFormat(format)
      .withMetadata({ orientation: 6 })
      .withExif({
        IFD0: { Make: 'TestCam', Artist: 'Jane Roe' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
      })
      .toBuffer();

  it('marks a generated image trainedAlgorithmicMedia with its generator and generation id', async () => {
    const generated = await renderSvg(cardSvgs.shapes!);
    const { data, format } = await writeProvenance(generated, { origin: 'generated', creatorTool: 'AInfluencer 0.1 / ComfyUI <SDXL & co>', generationId: 'gen_123"<>' });
    expect(format).toBe('png');
    expect(await readProvenance(data)).toEqual({
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      digitalSourceTypeCode: 'trainedAlgorithmicMedia',
      aiGenerated: true,
      origin: 'generated',
      creatorTool: 'AInfluencer 0.1 / ComfyUI <SDXL & co>',
      generationId: 'gen_123"<>',
    });
    // The pixels are untouched by the metadata (PNG is lossless).
    expect(await perceptualHash(data)).toBe(await perceptualHash(generated));
  });

  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`drops EXIF and GPS while adding the XMP (${format})`, async () => {
      const input = await phonePhoto(format);
      expect(await metadataReport(input)).toMatchObject({ exif: true, gps: true });
      const { data, format: out } = await writeProvenance(input, { origin: 'generated', generationId: 'g1' });
      expect(out).toBe(format);
      expect(await metadataReport(data)).toEqual({ exif: false, gps: false, iptc: false, xmp: true, comments: false });
      for (const leak of ['TestCam', 'Jane Roe', 'Exif\0\0']) expect(data.includes(leak), leak).toBe(false);
      const meta = await sharp(data).metadata();
      expect(meta.format).toBe(format);
      expect([meta.width, meta.height, meta.orientation]).toEqual([240, 400, undefined]); // orientation baked in
      expect((await readProvenance(data))?.digitalSourceTypeCode).toBe('trainedAlgorithmicMedia');
    });
  }

  it('marks uploads as uploads without claiming a source type unless one is declared', async () => {
    const photo = await phonePhoto('jpeg');
    const plain = await readProvenance((await writeProvenance(photo, { origin: 'upload' })).data);
    expect(plain).toMatchObject({ origin: 'upload', digitalSourceType: null, aiGenerated: false });
    const declared = await readProvenance((await writeProvenance(photo, { origin: 'upload', digitalSourceType: 'trainedAlgorithmicMedia' })).data);
    expect(declared).toMatchObject({ origin: 'upload', digitalSourceTypeCode: 'trainedAlgorithmicMedia', aiGenerated: true });
    expect(await readProvenance(photo)).toBeNull();
  });

  it('refuses to label a generated image as a camera capture, and needs a format for GIF', async () => {
    expect(() => buildXmp({ origin: 'generated', digitalSourceType: 'digitalCapture' })).toThrow(/AI source type/);
    const gif = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#123' } }).gif().toBuffer();
    await expect(writeProvenance(gif, { origin: 'upload' })).rejects.toThrow(/gif without an output format/);
    const { data, format } = await writeProvenance(gif, { origin: 'upload' }, { format: 'png' });
    expect([format, (await sharp(data).metadata()).format]).toEqual(['png', 'png']);
  });

  it('reads the source type however another tool spelled it', () => {
    const attr = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:ext="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" ext:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"/></rdf:RDF></x:xmpmeta>`;
    expect(parseXmpProvenance(attr)).toMatchObject({ digitalSourceTypeCode: 'compositeWithTrainedAlgorithmicMedia', aiGenerated: true, origin: null });
    const resource = `<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><Iptc4xmpExt:DigitalSourceType rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"/></rdf:Description>`;
    expect(parseXmpProvenance(resource)).toMatchObject({ digitalSourceTypeCode: 'digitalCapture', aiGenerated: false });
    // Same local name in a namespace that is not IPTC's: no claim.
    expect(parseXmpProvenance(`<d xmlns:Iptc4xmpExt="urn:other" Iptc4xmpExt:DigitalSourceType="x"/>`).digitalSourceType).toBeNull();
  });
});

describe('ffmpeg', () => {
  let tools: MediaTools;
  let dir: string;
  let video: string;
  let wav: string;

  beforeAll(async () => {
    tools = resolveFfmpeg();
    const versions = await toolVersions(tools);
    const encoders = await ffmpegEncoders(tools);
    console.log(`${versions.ffmpeg}\n${versions.ffprobe}\npreview codec: ${await previewCodec(tools)}; ` + ['libx264', 'libvpx-vp9', 'libvpx', 'libaom-av1', 'libwebp', 'libopus'].map((e) => `${e}=${encoders.has(e)}`).join(' '));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-media-'));
    video = path.join(dir, 'clip.mp4');
    wav = path.join(dir, 'tone.wav');
    // Native encoders only (mpeg4, aac, pcm), so any ffmpeg build can make the fixtures.
    await run(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2', '-c:v', 'mpeg4', '-q:v', '4', '-c:a', 'aac', '-shortest', video]);
    await run(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'aevalsrc=0.5*sin(2*PI*440*t):s=44100:d=1', wav]);
  }, 30_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resolves binaries from an explicit path and reports a wrong one', () => {
    expect(resolveFfmpeg({ ffmpegPath: tools.ffmpeg, ffprobePath: tools.ffprobe })).toEqual(tools);
    expect(() => resolveFfmpeg({ ffmpegPath: path.join(dir, 'no-such-ffmpeg') })).toThrow(/ffmpeg not found or not executable/);
  });

  it('probes a video with audio', async () => {
    const info = await probe(video, { tools });
    expect(info).toMatchObject({ kind: 'video', width: 640, height: 360, codec: 'mpeg4', hasAudio: true });
    expect(info.durationSeconds).toBeGreaterThan(1.9);
    expect(info.durationSeconds).toBeLessThan(2.2);
    expect(await probe(wav, { tools })).toMatchObject({ kind: 'audio', width: null, hasAudio: true });
  });

  it('extracts a poster frame as a metadata-free JPEG at the video size', async () => {
    const jpeg = await posterFrame(video, { tools });
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif, meta.xmp]).toEqual(['jpeg', 640, 360, undefined, undefined]);
    const stats = await sharp(jpeg).stats();
    expect(stats.channels[0]!.stdev).toBeGreaterThan(20); // a real frame, not a blank one
  });

  it('makes a short muted browser-playable preview', async () => {
    const preview = await videoPreview(video, path.join(dir, 'preview.mp4'), { tools });
    expect(preview).toMatchObject({ codec: 'h264', container: 'mp4', mimeType: 'video/mp4', width: 320, height: 180 });
    const info = await probe(preview.path, { tools });
    expect(info).toMatchObject({ kind: 'video', codec: 'h264', hasAudio: false, width: 320, height: 180 });
    expect(info.durationSeconds).toBeLessThanOrEqual(3);
    const short = await videoPreview(video, path.join(dir, 'short.mp4'), { tools, maxSeconds: 1, width: 160 });
    expect(short.durationSeconds).toBeGreaterThan(0.9);
    expect(short.durationSeconds).toBeLessThanOrEqual(1.1);
    expect([short.width, short.height]).toEqual([160, 90]);
    // The video's perceptual hash is its poster frame's; the preview's poster is a near-duplicate.
    const [a, b] = [await perceptualHash(await posterFrame(video, { tools })), await perceptualHash(await posterFrame(preview.path, { tools }))];
    console.log(`pHash distance video poster vs preview poster: ${hammingDistance(a, b)}`);
    expect(isNearDuplicate(a, b)).toBe(true);
  });

  it('makes a WebM preview when asked (the fallback for builds without libx264)', async () => {
    const preview = await videoPreview(video, path.join(dir, 'preview.webm'), { tools, codec: 'vp9' });
    expect(preview).toMatchObject({ codec: 'vp9', container: 'webm', mimeType: 'video/webm', width: 320 });
    expect(await probe(preview.path, { tools })).toMatchObject({ codec: 'vp9', hasAudio: false });
  });

  it('draws a waveform with the requested number of peaks', async () => {
    const tone = await audioWaveform(wav, { tools, points: 200 });
    expect(tone.peaks).toHaveLength(200);
    expect(tone.durationSeconds).toBeCloseTo(1, 2);
    expect(Math.min(...tone.peaks)).toBeGreaterThan(0.45); // generated at amplitude 0.5
    expect(Math.max(...tone.peaks)).toBeLessThan(0.55);
    // A video's sound track; lavfi's sine source has amplitude 1/8.
    const track = await audioWaveform(video, { tools, points: 7 });
    expect(track.peaks).toHaveLength(7);
    expect(Math.max(...track.peaks)).toBeGreaterThan(0.1);
    expect(Math.max(...track.peaks)).toBeLessThan(0.15);
  });

  it('gives clear errors for files that are not media', async () => {
    const text = path.join(dir, 'notes.mp4');
    fs.writeFileSync(text, 'these are not the frames you are looking for\n');
    const err = await probe(text, { tools }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaToolError);
    expect((err as Error).message).toMatch(/ffprobe failed \(exit 1\): [\s\S]*notes.mp4: Invalid data found when processing input/);
    await expect(posterFrame(wav, { tools })).rejects.toThrow(/not a video \(audio/);
    await expect(probe(path.join(dir, 'missing.mp4'), { tools })).rejects.toThrow(/media file not found/);
    const playlist = path.join(dir, 'list.m3u8');
    fs.writeFileSync(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nclip.mp4\n#EXT-X-ENDLIST\n');
    await expect(probe(playlist, { tools })).rejects.toThrow(/refused media format "hls"/);
  });
});
