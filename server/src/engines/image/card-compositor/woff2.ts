// A minimal WOFF2 reader (W3C WOFF File Format 2.0, https://www.w3.org/TR/WOFF2/): the table
// directory, the Brotli stream (node:zlib), and the transformed `glyf` table (§5.1) decoded
// straight into outlines instead of being rebuilt as a TrueType `glyf`/`loca` pair. Only what a
// card needs is kept: the raw bytes of the other tables (cmap, hmtx, head, hhea, maxp) and each
// glyph's contours or components. Hinting instructions are skipped. Collections (`ttcf`) and
// CFF-flavoured fonts are refused. No I/O: the caller reads the file.
import { brotliDecompressSync } from 'node:zlib';

/** One outline point in font units; `on` false for a quadratic Bézier control point. */
export interface OutlinePoint {
  x: number;
  y: number;
  on: boolean;
}

/** A component of a composite glyph: another glyph drawn through a 2×2 matrix and an offset. */
interface GlyphComponent {
  glyph: number;
  /** x' = a·x + c·y + dx, y' = b·x + d·y + dy */
  a: number;
  b: number;
  c: number;
  d: number;
  dx: number;
  dy: number;
}

export type GlyphOutline =
  | { kind: 'empty' }
  | { kind: 'simple'; contours: OutlinePoint[][] }
  | { kind: 'composite'; components: GlyphComponent[] };

export interface Woff2Font {
  /** The plain (untransformed) tables by tag, e.g. 'cmap', 'hmtx'. */
  tables: Map<string, Buffer>;
  glyphs: GlyphOutline[];
}

const KNOWN_TAGS = [
  'cmap', 'head', 'hhea', 'hmtx', 'maxp', 'name', 'OS/2', 'post', 'cvt ', 'fpgm', 'glyf', 'loca', 'prep', 'CFF ', 'VORG', 'EBDT',
  'EBLC', 'gasp', 'hdmx', 'kern', 'LTSH', 'PCLT', 'VDMX', 'vhea', 'vmtx', 'BASE', 'GDEF', 'GPOS', 'GSUB', 'EBSC', 'JSTF', 'MATH',
  'CBDT', 'CBLC', 'COLR', 'CPAL', 'SVG ', 'sbix', 'acnt', 'avar', 'bdat', 'bloc', 'bsln', 'cvar', 'fdsc', 'feat', 'fmtx', 'fvar',
  'gvar', 'hsty', 'just', 'lcar', 'mort', 'morx', 'opbd', 'prop', 'trak', 'Zapf', 'Silf', 'Glat', 'Gloc', 'Feat', 'Sill',
] as const;

class Reader {
  pos: number;
  readonly buf: Buffer;
  readonly end: number;
  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new Error('WOFF2: truncated data');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** UIntBase128 (§4.1). */
  base128(): number {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 0 && b === 0x80) throw new Error('WOFF2: bad UIntBase128');
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return v;
    }
    throw new Error('WOFF2: UIntBase128 too long');
  }
  /** 255UInt16 (§4.2). */
  u255(): number {
    const code = this.u8();
    if (code === 253) return this.u16();
    if (code === 255) return 253 + this.u8();
    if (code === 254) return 253 * 2 + this.u8();
    return code;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

interface DirEntry {
  tag: string;
  origLength: number;
  /** Bytes in the decompressed stream. */
  length: number;
  transformed: boolean;
}

/** Decodes a WOFF2 file. Throws an Error naming the problem for anything it cannot read. */
export function decodeWoff2(file: Buffer): Woff2Font {
  const r = new Reader(file);
  if (r.u32() !== 0x774f4632) throw new Error('not a WOFF2 file');
  const flavor = r.u32();
  if (flavor === 0x74746366) throw new Error('WOFF2 font collections are not supported');
  r.skip(4); // length
  const numTables = r.u16();
  r.skip(2 + 4); // reserved, totalSfntSize
  const compressedSize = r.u32();
  r.skip(2 + 2 + 4 * 5); // version, metadata and private blocks

  const dir: DirEntry[] = [];
  for (let i = 0; i < numTables; i++) {
    const flags = r.u8();
    let tag: string = KNOWN_TAGS[flags & 0x3f] ?? '';
    if ((flags & 0x3f) === 0x3f) {
      tag = file.toString('latin1', r.pos, r.pos + 4);
      r.skip(4);
    }
    const version = (flags >> 6) & 3;
    const origLength = r.base128();
    // glyf/loca: version 0 is the transform, 3 the null transform; other tables the reverse.
    const transformed = tag === 'glyf' || tag === 'loca' ? version === 0 : version !== 0;
    const length = transformed ? r.base128() : origLength;
    dir.push({ tag, origLength, length, transformed });
  }
  const data = brotliDecompressSync(file.subarray(r.pos, r.pos + compressedSize));

  const tables = new Map<string, Buffer>();
  let glyfTransformed: Buffer | null = null;
  let offset = 0;
  for (const t of dir) {
    if (offset + t.length > data.length) throw new Error('WOFF2: table data past the end of the stream');
    const bytes = data.subarray(offset, offset + t.length);
    offset += t.length;
    if (t.tag === 'glyf' && t.transformed) glyfTransformed = bytes;
    else if (t.transformed && t.tag !== 'loca') throw new Error(`WOFF2: transformed table ${t.tag} is not supported`);
    else tables.set(t.tag, bytes);
  }
  if (!glyfTransformed) throw new Error('WOFF2: no transformed glyf table (CFF fonts are not supported)');
  return { tables, glyphs: decodeGlyf(glyfTransformed) };
}

const withSign = (flag: number, v: number) => ((flag & 1) !== 0 ? v : -v);

/** The transformed glyf table (§5.1) into outlines. */
function decodeGlyf(buf: Buffer): GlyphOutline[] {
  const h = new Reader(buf);
  h.skip(2); // reserved
  h.skip(2); // optionFlags (overlap bitmap is irrelevant for drawing)
  const numGlyphs = h.u16();
  h.skip(2); // indexFormat
  const sizes = Array.from({ length: 7 }, () => h.u32());
  let at = h.pos;
  const streams = sizes.map((n) => {
    const s = new Reader(buf, at, at + n);
    at += n;
    if (at > buf.length) throw new Error('WOFF2: glyf streams past the end');
    return s;
  });
  // The bbox stream (streams[5]) is not read: outlines do not need the stored boxes.
  const [nContour, nPoints, flagS, glyphS, composite, , instructions] = streams as [Reader, Reader, Reader, Reader, Reader, Reader, Reader];

  const glyphs: GlyphOutline[] = [];
  for (let g = 0; g < numGlyphs; g++) {
    const n = nContour.i16();
    if (n === 0) {
      glyphs.push({ kind: 'empty' });
    } else if (n > 0) {
      const counts = Array.from({ length: n }, () => nPoints.u255());
      const contours: OutlinePoint[][] = [];
      let x = 0;
      let y = 0;
      for (const count of counts) {
        const contour: OutlinePoint[] = [];
        for (let i = 0; i < count; i++) {
          const raw = flagS.u8();
          const on = (raw & 0x80) === 0;
          const flag = raw & 0x7f;
          let dx: number;
          let dy: number;
          if (flag < 10) {
            dx = 0;
            dy = withSign(flag, ((flag & 14) << 7) + glyphS.u8());
          } else if (flag < 20) {
            dx = withSign(flag, (((flag - 10) & 14) << 7) + glyphS.u8());
            dy = 0;
          } else if (flag < 84) {
            const b0 = flag - 20;
            const b1 = glyphS.u8();
            dx = withSign(flag, 1 + (b0 & 0x30) + (b1 >> 4));
            dy = withSign(flag >> 1, 1 + ((b0 & 0x0c) << 2) + (b1 & 0x0f));
          } else if (flag < 120) {
            const b0 = flag - 84;
            dx = withSign(flag, 1 + (Math.floor(b0 / 12) << 8) + glyphS.u8());
            dy = withSign(flag >> 1, 1 + (((b0 % 12) >> 2) << 8) + glyphS.u8());
          } else if (flag < 124) {
            const b0 = glyphS.u8();
            const b1 = glyphS.u8();
            const b2 = glyphS.u8();
            dx = withSign(flag, (b0 << 4) + (b1 >> 4));
            dy = withSign(flag >> 1, ((b1 & 0x0f) << 8) + b2);
          } else {
            const vx = glyphS.u16();
            const vy = glyphS.u16();
            dx = withSign(flag, vx);
            dy = withSign(flag >> 1, vy);
          }
          x += dx;
          y += dy;
          contour.push({ x, y, on });
        }
        contours.push(contour);
      }
      instructions.skip(glyphS.u255());
      glyphs.push({ kind: 'simple', contours });
    } else {
      const components: GlyphComponent[] = [];
      let hasInstructions = false;
      let more = true;
      while (more) {
        const flags = composite.u16();
        const glyph = composite.u16();
        let dx: number;
        let dy: number;
        if (flags & 0x0001) {
          dx = composite.i16();
          dy = composite.i16();
        } else {
          dx = composite.i8();
          dy = composite.i8();
        }
        // Point-matching anchors (ARGS_ARE_XY_VALUES unset) are rare: drawn without an offset.
        if ((flags & 0x0002) === 0) dx = dy = 0;
        let a = 1;
        let b = 0;
        let c = 0;
        let d = 1;
        const f2dot14 = () => composite.i16() / 16384;
        if (flags & 0x0008) a = d = f2dot14();
        else if (flags & 0x0040) {
          a = f2dot14();
          d = f2dot14();
        } else if (flags & 0x0080) {
          a = f2dot14();
          b = f2dot14();
          c = f2dot14();
          d = f2dot14();
        }
        if (flags & 0x0100) hasInstructions = true;
        more = (flags & 0x0020) !== 0;
        components.push({ glyph, a, b, c, d, dx, dy });
      }
      if (hasInstructions) instructions.skip(glyphS.u255());
      glyphs.push({ kind: 'composite', components });
    }
  }
  return glyphs;
}
