//! Turns laid-out pages into a PDF file with printpdf.

use super::fonts::{self, Face, Family};
use super::logo::Logo;
use super::page::{Item, Page};
use chrono::{Datelike, NaiveDate};
use printpdf::{
    BuiltinFont, Color, Date, DateTime, FontId, Line, LinePoint, Offset, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, Time, XObjectId, XObjectTransform,
};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::sync::Arc;

/// One document's pages and its logo.
pub(crate) struct Part {
    pub pages: Vec<Page>,
    pub logo: Option<Arc<Logo>>,
}

/// What goes in the PDF's information dictionary.
pub(crate) struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// The creation (and modification) date: the issue date, never the clock.
    pub date: NaiveDate,
}

fn pdf_date(d: NaiveDate) -> DateTime {
    DateTime {
        date: Date { year: d.year(), month: d.month() as u8, day: d.day() as u8 },
        time: Time { hour: 0, minute: 0, second: 0, millisecond: 0 },
        offset: Offset { hours: 0, minutes: 0, seconds: 0, milliseconds: 0 },
    }
}

fn colour((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb { r, g, b, icc_profile: None })
}

/// Whether every printed character can be shown by the built-in fonts.
pub(crate) fn all_win_ansi(part: &Part) -> bool {
    part.pages.iter().flat_map(|p| &p.items).all(|item| match item {
        Item::Text { text, .. } => text.chars().all(fonts::is_win_ansi),
        _ => true,
    })
}

/// Characters used per face, for the font subsets.
fn used_chars(parts: &[Part]) -> BTreeMap<Face, BTreeSet<char>> {
    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for page in parts.iter().flat_map(|p| &p.pages) {
        for item in &page.items {
            if let Item::Text { face, text, .. } = item {
                used.entry(*face).or_default().extend(text.chars());
            }
        }
    }
    used
}

pub(crate) fn write(parts: &[Part], family: Family, meta: &Meta) -> crate::Result<Vec<u8>> {
    let mut pdf = PdfDocument::new(&meta.title);
    let info = &mut pdf.metadata.info;
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.creator = "Seatbook".to_string();
    info.producer = "Seatbook".to_string();
    info.creation_date = pdf_date(meta.date);
    info.modification_date = pdf_date(meta.date);
    info.metadata_date = pdf_date(meta.date);

    // Fonts: the built-in ones, or a subset of DejaVu per face holding what is printed.
    let mut handles: BTreeMap<Face, PdfFontHandle> = BTreeMap::new();
    match family {
        Family::Builtin => {
            handles.insert(Face::Regular, PdfFontHandle::Builtin(BuiltinFont::Helvetica));
            handles.insert(Face::Bold, PdfFontHandle::Builtin(BuiltinFont::HelveticaBold));
        }
        Family::DejaVu => {
            for (face, chars) in used_chars(parts) {
                let font = fonts::subset(face, &chars)?;
                // Named from what the subset holds, not by printpdf's process-wide counter: the
                // same document comes out the same bytes however many were made before it.
                let id = FontId(format!("{}{face:?}", subset_tag(face, &chars)));
                pdf.resources.fonts.map.insert(id.clone(), printpdf::PdfFont::new(font));
                handles.insert(face, PdfFontHandle::External(id));
            }
        }
    }

    // Logos: each distinct one once.
    let mut logo_ids: Vec<(*const Logo, XObjectId)> = Vec::new();
    let mut pages = Vec::new();
    for part in parts {
        let logo_id = match &part.logo {
            Some(logo) => {
                let key = Arc::as_ptr(logo);
                match logo_ids.iter().find(|(k, _)| *k == key) {
                    Some((_, id)) => Some((id.clone(), logo.clone())),
                    None => {
                        let id = XObjectId(format!("Logo{}", logo_ids.len() + 1));
                        pdf.resources.xobjects.map.insert(id.clone(), printpdf::XObject::External(logo.xobject.clone()));
                        logo_ids.push((key, id.clone()));
                        Some((id, logo.clone()))
                    }
                }
            }
            None => None,
        };
        for page in &part.pages {
            pages.push(page_ops(page, &handles, logo_id.as_ref()));
        }
    }
    pdf.with_pages(pages);

    // printpdf builds the object tree; its streams are compressed here (see `compress`).
    let opts = PdfSaveOptions { optimize: false, subset_fonts: false, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let mut doc = pdf.to_lopdf_document(&opts, &mut warnings);
    tidy_info(&mut doc);
    stable_id(&mut doc, meta);
    // Soft masks (a logo's transparency) are PDF 1.4; printpdf writes 1.3.
    doc.version = "1.4".to_string();
    compress(&mut doc)?;
    let mut out = Vec::with_capacity(16 * 1024);
    doc.save_to(&mut out).map_err(|e| crate::Error::io(format!("cannot write the PDF: {e}")))?;
    Ok(out)
}

/// A font subset's six-letter tag (the `ABCDEF+` before its name), from the face and the
/// characters it holds.
fn subset_tag(face: Face, chars: &BTreeSet<char>) -> String {
    let mut h = crate::import::recon::Fnv64::default();
    h.write(format!("{face:?}").as_bytes());
    for c in chars {
        h.write(&(*c as u32).to_le_bytes());
    }
    let mut v = h.finish();
    (0..6)
        .map(|_| {
            let c = (b'A' + (v % 26) as u8) as char;
            v /= 26;
            c
        })
        .collect()
}

/// The file identifier in the trailer, from the document's title and date instead of
/// printpdf's counter: the same document, the same bytes.
fn stable_id(doc: &mut lopdf::Document, meta: &Meta) {
    let mut h = crate::import::recon::Fnv64::default();
    h.write(meta.title.as_bytes());
    h.write(meta.subject.as_bytes());
    h.write(meta.date.to_string().as_bytes());
    let id = format!("{:016X}{:016X}", h.finish(), h.finish().rotate_left(32) ^ 0x5EA7_B00C);
    let id = lopdf::Object::String(id.into_bytes(), lopdf::StringFormat::Literal);
    doc.trailer.set("ID", lopdf::Object::Array(vec![id.clone(), id]));
}

/// printpdf writes an empty `GTS_PDFXVersion` (which makes readers take the file for PDF/X)
/// and other empty entries into the information dictionary: drop them.
fn tidy_info(doc: &mut lopdf::Document) {
    let Ok(id) = doc.trailer.get(b"Info").and_then(|o| o.as_reference()) else { return };
    if let Some(lopdf::Object::Dictionary(info)) = doc.objects.get_mut(&id) {
        info.remove(b"GTS_PDFXVersion");
        for key in [&b"Identifier"[..], b"Keywords"] {
            let empty = match info.get(key) {
                Ok(lopdf::Object::String(bytes, _)) => bytes.is_empty() || bytes == b"\xFE\xFF",
                _ => false,
            };
            if empty {
                info.remove(key);
            }
        }
    }
}

/// The deflate compressors of one document: the fast one for content streams (level 1: an
/// invoice page is a few KB either way); the thorough one (level 3) for font programs, which are
/// most of a file's bytes when a font is embedded: level 1 makes them ~25% bigger, level 6 saves
/// 1% and takes 50% longer. Made new for each document, not kept per thread: a compressor reset
/// between documents did not compress the next one exactly as a new one would, and a document
/// must come out the same bytes every time it is made (e-mail attaches an issued invoice's PDF
/// made again, which must be the PDF the reseller saved).
fn compressors() -> (flate2::Compress, flate2::Compress) {
    (flate2::Compress::new(flate2::Compression::new(1), true), flate2::Compress::new(flate2::Compression::new(3), true))
}

fn deflate(z: &mut flate2::Compress, data: &[u8]) -> crate::Result<Vec<u8>> {
    z.reset();
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let consumed = z.total_in() as usize;
        let status = z
            .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Finish)
            .map_err(|e| crate::Error::io(format!("cannot compress a PDF stream: {e}")))?;
        if status == flate2::Status::StreamEnd {
            return Ok(out);
        }
        out.reserve(out.capacity().max(1024));
    }
}

/// Flate-compress every stream that allows it and has no filter yet (content streams, font
/// programs, ToUnicode maps), as printpdf's `optimize` would, but with one pair of compressors
/// per document (reset between its streams) instead of one per stream.
fn compress(doc: &mut lopdf::Document) -> crate::Result<()> {
    let (fast, thorough) = &mut compressors();
    {
        for object in doc.objects.values_mut() {
            let lopdf::Object::Stream(stream) = object else { continue };
            if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() || stream.content.len() < 64 {
                continue;
            }
            let font_program = stream.dict.get(b"Length1").is_ok();
            let out = deflate(if font_program { thorough } else { fast }, &stream.content)?;
            if out.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(out);
            }
        }
    }
    Ok(())
}

/// Coordinates to 1/100 pt: shorter numbers in the content stream, no visible difference.
fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn page_ops(page: &Page, handles: &BTreeMap<Face, PdfFontHandle>, logo: Option<&(XObjectId, Arc<Logo>)>) -> PdfPage {
    let h = page.height;
    let mut ops = Vec::with_capacity(page.items.len() * 3 + 8);
    // Shapes and images first, text on top of them.
    let mut fill = None;
    let mut stroke = None;
    let mut thickness = None;
    for item in &page.items {
        match item {
            Item::Rect { x, y, w, h: rh, colour: c } => {
                if fill != Some(*c) {
                    ops.push(Op::SetFillColor { col: colour(*c) });
                    fill = Some(*c);
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(h - y - rh),
                        width: Pt(*w),
                        height: Pt(*rh),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Item::Line { x1, y1, x2, y2, width, colour: c } => {
                if stroke != Some(*c) {
                    ops.push(Op::SetOutlineColor { col: colour(*c) });
                    stroke = Some(*c);
                }
                if thickness != Some(*width) {
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    thickness = Some(*width);
                }
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint { p: Point { x: Pt(*x1), y: Pt(h - y1) }, bezier: false },
                            LinePoint { p: Point { x: Pt(*x2), y: Pt(h - y2) }, bezier: false },
                        ],
                        is_closed: false,
                    },
                });
            }
            Item::Logo { x, y, w, h: lh } => {
                if let Some((id, logo)) = logo {
                    ops.push(Op::UseXobject {
                        id: id.clone(),
                        transform: XObjectTransform {
                            translate_x: Some(Pt(*x)),
                            translate_y: Some(Pt(h - y - lh)),
                            scale_x: Some(w / logo.width as f32),
                            scale_y: Some(lh / logo.height as f32),
                            dpi: Some(72.0),
                            ..Default::default()
                        },
                    });
                }
            }
            Item::Text { .. } => {}
        }
    }
    ops.push(Op::StartTextSection);
    let mut font: Option<(Face, f32)> = None;
    let mut fill = None;
    // `Td` moves relative to the start of the previous line: 2 numbers instead of `Tm`'s 6.
    let (mut lx, mut ly) = (0.0f32, 0.0f32);
    for item in &page.items {
        if let Item::Text { x, y, face, size, colour: c, text } = item {
            if font != Some((*face, *size)) {
                let handle = handles.get(face).cloned().unwrap_or(PdfFontHandle::Builtin(BuiltinFont::Helvetica));
                ops.push(Op::SetFont { font: handle, size: Pt(*size) });
                font = Some((*face, *size));
            }
            if fill != Some(*c) {
                ops.push(Op::SetFillColor { col: colour(*c) });
                fill = Some(*c);
            }
            let (tx, ty) = (round2(*x), round2(h - y));
            ops.push(Op::SetTextCursor { pos: Point { x: Pt(round2(tx - lx)), y: Pt(round2(ty - ly)) } });
            (lx, ly) = (tx, ty);
            ops.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
        }
    }
    ops.push(Op::EndTextSection);
    let mut p = PdfPage::new(printpdf::Mm(0.0), printpdf::Mm(0.0), ops);
    let size = Rect::from_wh(Pt(page.width), Pt(h));
    p.media_box = size.clone();
    p.trim_box = size.clone();
    p.crop_box = size;
    p
}
