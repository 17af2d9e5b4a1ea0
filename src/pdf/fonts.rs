//! Fonts and their metrics. Two families:
//! - the built-in Helvetica / Helvetica-Bold (nothing embedded, a ~2 KB file), usable only when
//!   every character of the document is in WinAnsi (Windows-1252);
//! - DejaVu Sans / DejaVu Sans Bold (shipped in `assets/fonts`), for any other text: each
//!   document embeds a subset holding only the glyphs it uses (printpdf 0.12 without its
//!   `text_layout` feature embeds fonts whole, ~700 KB each, so we subset them ourselves with
//!   the `subsetter` crate and hand printpdf the subset with its own char → glyph map).
//!
//! Widths come from the real font tables, parsed once per process (`OnceLock`).

use printpdf::{BuiltinFont, FontMetrics, FontType, ParsedFont};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// Which family a document is set in (one family per file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Built-in Helvetica, WinAnsi-encoded: only for documents whose text is all Windows-1252.
    Builtin,
    /// Embedded subsets of DejaVu Sans.
    DejaVu,
}

/// Code points below this are looked up in flat tables (Latin, Greek, Cyrillic, punctuation,
/// currency signs); anything above goes through a map.
const FLAT: usize = 0x3000;

/// Character widths of one face, plus (for embedded faces) its glyph ids.
pub(crate) struct FaceMetrics {
    units_per_em: f32,
    /// Advance width in font units by code point, for code points < FLAT; 0 = not in the font.
    flat_width: Vec<u16>,
    /// Glyph id by code point, for code points < FLAT; 0 = not in the font.
    flat_gid: Vec<u16>,
    /// Code points ≥ FLAT: (glyph id, advance).
    high: BTreeMap<u32, (u16, u16)>,
    /// Advance of a character the font lacks (its .notdef, or an average width).
    missing_width: u16,
    /// Advance by glyph id (embedded faces only).
    gid_width: Vec<u16>,
    /// The parsed source font, kept for its PDF descriptor metrics (embedded faces only).
    parsed: Option<ParsedFont>,
    bytes: &'static [u8],
}

impl FaceMetrics {
    fn from_parsed(parsed: ParsedFont, bytes: &'static [u8], keep_parsed: bool) -> FaceMetrics {
        let mut flat_width = vec![0u16; FLAT];
        let mut flat_gid = vec![0u16; FLAT];
        let mut high = BTreeMap::new();
        let num_glyphs = parsed.glyph_widths.keys().next_back().map(|g| *g as usize + 1).unwrap_or(0);
        let mut gid_width = vec![0u16; num_glyphs];
        for (gid, w) in &parsed.glyph_widths {
            gid_width[*gid as usize] = *w;
        }
        for (cp, gid) in &parsed.codepoint_to_glyph {
            let w = gid_width.get(*gid as usize).copied().unwrap_or(0);
            if (*cp as usize) < FLAT {
                flat_width[*cp as usize] = w;
                flat_gid[*cp as usize] = *gid;
            } else {
                high.insert(*cp, (*gid, w));
            }
        }
        let missing_width = gid_width.first().copied().filter(|w| *w > 0).unwrap_or((parsed.units_per_em as f32 * 0.5) as u16);
        FaceMetrics {
            units_per_em: parsed.units_per_em as f32,
            flat_width,
            flat_gid,
            high,
            missing_width,
            gid_width,
            parsed: keep_parsed.then_some(parsed),
            bytes,
        }
    }

    fn width_units(&self, c: char) -> u16 {
        let cp = c as usize;
        let w = if cp < FLAT { self.flat_width[cp] } else { self.high.get(&(cp as u32)).map(|(_, w)| *w).unwrap_or(0) };
        if w == 0 {
            self.missing_width
        } else {
            w
        }
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| self.width_units(c) as u32).sum();
        units as f32 * size / self.units_per_em
    }

    fn gid(&self, c: char) -> Option<u16> {
        let cp = c as usize;
        let g = if cp < FLAT { self.flat_gid[cp] } else { self.high.get(&(cp as u32)).map(|(g, _)| *g).unwrap_or(0) };
        (g != 0).then_some(g)
    }
}

fn parse(bytes: &'static [u8], keep_parsed: bool) -> FaceMetrics {
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings).expect("the fonts shipped in assets/fonts parse");
    FaceMetrics::from_parsed(parsed, bytes, keep_parsed)
}

fn builtin(face: Face) -> &'static FaceMetrics {
    static REGULAR: OnceLock<FaceMetrics> = OnceLock::new();
    static BOLD: OnceLock<FaceMetrics> = OnceLock::new();
    let (cell, font) = match face {
        Face::Regular => (&REGULAR, BuiltinFont::Helvetica),
        Face::Bold => (&BOLD, BuiltinFont::HelveticaBold),
    };
    cell.get_or_init(|| {
        // printpdf ships metric-compatible subsets of the standard 14 fonts (WinAnsi only).
        let bytes: &'static [u8] = Box::leak(font.get_subset_font().bytes.into_boxed_slice());
        let mut m = parse(bytes, false);
        // The space and no-break space have no glyph in those subsets: Helvetica's is 278/1000.
        let space = (m.units_per_em * 0.278).round() as u16;
        for cp in [0x20usize, 0xA0] {
            if m.flat_width[cp] == 0 {
                m.flat_width[cp] = space;
            }
        }
        m.missing_width = (m.units_per_em * 0.556).round() as u16;
        m
    })
}

fn dejavu(face: Face) -> &'static FaceMetrics {
    static REGULAR: OnceLock<FaceMetrics> = OnceLock::new();
    static BOLD: OnceLock<FaceMetrics> = OnceLock::new();
    match face {
        Face::Regular => REGULAR.get_or_init(|| parse(DEJAVU_SANS, true)),
        Face::Bold => BOLD.get_or_init(|| parse(DEJAVU_SANS_BOLD, true)),
    }
}

/// The metrics of a face of a family.
pub(crate) fn metrics(family: Family, face: Face) -> &'static FaceMetrics {
    match family {
        Family::Builtin => builtin(face),
        Family::DejaVu => dejavu(face),
    }
}

/// The family a set of strings needs: built-in Helvetica if every character is WinAnsi.
pub(crate) fn family_for<'a>(mut texts: impl Iterator<Item = &'a str>) -> Family {
    if texts.all(|t| t.chars().all(is_win_ansi)) {
        Family::Builtin
    } else {
        Family::DejaVu
    }
}

/// Whether `c` is one of the characters the built-in fonts' WinAnsiEncoding can show
/// (PDF 32000-1 Annex D.2). Control characters count as no.
pub(crate) fn is_win_ansi(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0xFF)
        || matches!(
            c,
            '€' | '‚'
                | 'ƒ'
                | '„'
                | '…'
                | '†'
                | '‡'
                | 'ˆ'
                | '‰'
                | 'Š'
                | '‹'
                | 'Œ'
                | 'Ž'
                | '\u{2018}'
                | '\u{2019}'
                | '\u{201C}'
                | '\u{201D}'
                | '•'
                | '–'
                | '—'
                | '˜'
                | '™'
                | 'š'
                | '›'
                | 'œ'
                | 'ž'
                | 'Ÿ'
        )
}

/// A subset of an embedded face, ready for `PdfDocument::add_font`.
pub(crate) fn subset(face: Face, chars: &BTreeSet<char>) -> crate::Result<ParsedFont> {
    let m = dejavu(face);
    let source = m.parsed.as_ref().expect("embedded faces keep their parsed font");
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut codepoint_to_glyph = BTreeMap::new();
    let mut glyph_widths = BTreeMap::new();
    for &c in chars {
        if let Some(gid) = m.gid(c) {
            let new = remapper.remap(gid);
            codepoint_to_glyph.insert(c as u32, new);
            glyph_widths.insert(new, m.gid_width.get(gid as usize).copied().unwrap_or(0));
        }
    }
    glyph_widths.insert(0, m.gid_width.first().copied().unwrap_or(0));
    let bytes = subsetter::subset(m.bytes, 0, &remapper)
        .map_err(|e| crate::Error::new(crate::ErrorCode::Io, format!("cannot subset the DejaVu font: {e}")))?;
    let bytes = strip_hinting(&bytes).unwrap_or(bytes);
    // The six-letter subset tag (ISO 32000-1 §9.6.4), derived from the glyph set so that
    // it is stable for the same text.
    let mut h: u32 = 0x811C_9DC5;
    for cp in codepoint_to_glyph.keys() {
        h = (h ^ cp).wrapping_mul(0x0100_0193);
    }
    let tag: String = (0..6).map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char).collect();
    let base = match face {
        Face::Regular => "DejaVuSans",
        Face::Bold => "DejaVuSans-Bold",
    };
    Ok(ParsedFont {
        original_bytes: bytes,
        font_index: 0,
        font_name: Some(format!("{tag}+{base}")),
        codepoint_to_glyph,
        glyph_widths,
        units_per_em: source.units_per_em,
        font_metrics: FontMetrics { ascent: source.font_metrics.ascent, descent: source.font_metrics.descent },
        font_type: FontType::TrueType,
        pdf_font_metrics: source.pdf_font_metrics.clone(),
    })
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

/// One glyph without its TrueType instructions.
fn strip_glyph(g: &[u8]) -> Option<Vec<u8>> {
    if g.is_empty() {
        return Some(Vec::new());
    }
    let contours = be16(g, 0)? as i16;
    if contours >= 0 {
        let n = contours as usize;
        let il_at = 10 + 2 * n;
        let il = be16(g, il_at)? as usize;
        let rest = g.get(il_at + 2 + il..)?;
        let mut out = Vec::with_capacity(g.len() - il);
        out.extend_from_slice(&g[..il_at]);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(rest);
        Some(out)
    } else {
        // A composite: walk its components, clear WE_HAVE_INSTRUCTIONS, drop the instructions.
        let mut out = g.get(..10)?.to_vec();
        let mut at = 10;
        loop {
            let flags = be16(g, at)?;
            let mut len = 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            if flags & 0x0008 != 0 {
                len += 2;
            } else if flags & 0x0040 != 0 {
                len += 4;
            } else if flags & 0x0080 != 0 {
                len += 8;
            }
            let comp = g.get(at..at + len)?;
            out.extend_from_slice(&(flags & !0x0100).to_be_bytes());
            out.extend_from_slice(&comp[2..]);
            at += len;
            if flags & 0x0020 == 0 {
                break;
            }
        }
        Some(out)
    }
}

/// A TrueType font without hinting: the instructions of every glyph and the `cvt `, `fpgm`,
/// `prep` (and `hdmx`, `LTSH`, `VDMX`) tables go. PDF viewers and printers scale outlines
/// without them, and they are more than half of a DejaVu subset's bytes.
/// `None` if the font is not laid out as expected (the caller then keeps it as it is).
fn strip_hinting(font: &[u8]) -> Option<Vec<u8>> {
    let num_tables = be16(font, 4)? as usize;
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::with_capacity(num_tables);
    for i in 0..num_tables {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let off = be32(font, rec + 8)? as usize;
        let len = be32(font, rec + 12)? as usize;
        tables.push((tag, font.get(off..off.checked_add(len)?)?));
    }
    let get = |t: &[u8; 4]| tables.iter().find(|(tag, _)| tag == t).map(|(_, d)| *d);
    let head = get(b"head")?;
    let loca = get(b"loca")?;
    let glyf = get(b"glyf")?;
    let num_glyphs = be16(get(b"maxp")?, 4)? as usize;
    let long = be16(head, 50)? == 1;
    let offset = |i: usize| if long { be32(loca, 4 * i).map(|v| v as usize) } else { be16(loca, 2 * i).map(|v| 2 * v as usize) };

    let mut new_glyf = Vec::with_capacity(glyf.len() / 2);
    let mut new_loca = Vec::with_capacity(4 * (num_glyphs + 1));
    for i in 0..num_glyphs {
        let (a, b) = (offset(i)?, offset(i + 1)?);
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        if b > a {
            new_glyf.extend(strip_glyph(glyf.get(a..b)?)?);
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    let mut new_head = head.to_vec();
    new_head[8..12].copy_from_slice(&[0; 4]);
    new_head[50..52].copy_from_slice(&1u16.to_be_bytes());

    let dropped: [&[u8; 4]; 6] = [b"cvt ", b"fpgm", b"prep", b"hdmx", b"LTSH", b"VDMX"];
    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for (tag, data) in &tables {
        if dropped.contains(&tag) {
            continue;
        }
        let data = match tag {
            b"glyf" => std::mem::take(&mut new_glyf),
            b"loca" => std::mem::take(&mut new_loca),
            b"head" => std::mem::take(&mut new_head),
            _ => data.to_vec(),
        };
        out_tables.push((*tag, data));
    }
    out_tables.sort_by_key(|t| t.0);

    let n = out_tables.len();
    let mut out = Vec::with_capacity(font.len());
    out.extend_from_slice(&font[..4]);
    let entry_selector = (usize::BITS - 1 - n.leading_zeros()) as u16;
    let search_range = (1u16 << entry_selector) * 16;
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&search_range.to_be_bytes());
    out.extend_from_slice(&entry_selector.to_be_bytes());
    out.extend_from_slice(&((n as u16) * 16 - search_range).to_be_bytes());
    let mut off = 12 + 16 * n;
    let mut head_at = None;
    for (tag, data) in &out_tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(off as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(off);
        }
        off += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &out_tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let head_at = head_at?;
    out[head_at + 8..head_at + 12].copy_from_slice(&adjust.to_be_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helvetica_widths_are_the_afm_ones() {
        let m = metrics(Family::Builtin, Face::Regular);
        // Helvetica.afm: space 278, a 556, W 944, i 222, m 833.
        assert!((m.width(" ", 1000.0) - 278.0).abs() < 1.0);
        assert!((m.width("a", 1000.0) - 556.0).abs() < 1.0);
        assert!((m.width("W", 1000.0) - 944.0).abs() < 1.0);
        assert!((m.width("im", 1000.0) - 1055.0).abs() < 2.0);
        let b = metrics(Family::Builtin, Face::Bold);
        assert!((b.width("i", 1000.0) - 278.0).abs() < 1.0);
    }

    #[test]
    fn dejavu_covers_european_scripts() {
        let m = metrics(Family::DejaVu, Face::Regular);
        for c in "ŁódźGdańskŽluťoučkýkůňΑθήναМоскваКиївBêrebosKwêvoëlßàç€–".chars() {
            assert!(m.gid(c).is_some(), "{c} missing from DejaVu Sans");
        }
        assert!(m.width("Łódź", 10.0) > 10.0);
    }

    #[test]
    fn win_ansi_detection() {
        assert_eq!(family_for(["Café Müller – 1 Nov", "Straße €5"].into_iter()), Family::Builtin);
        assert_eq!(family_for(["Łódź"].into_iter()), Family::DejaVu);
        assert_eq!(family_for(["Αθήνα"].into_iter()), Family::DejaVu);
    }
}
