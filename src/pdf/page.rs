//! What a laid-out page is made of (text, boxes, rules, the logo, in points from the page's
//! top-left corner), the paper sizes, and how text is cleaned and wrapped to a width. Shared by
//! the page machinery (`sheet`), the layouts (`layout`, `statement`) and the writer (`emit`).

use super::fonts::{Face, FaceMetrics};
use crate::company::Paper;

/// An RGB colour, each channel 0–1.
pub(crate) type Colour = (f32, f32, f32);

pub(crate) const INK: Colour = (0.11, 0.12, 0.14);
pub(crate) const MUTED: Colour = (0.40, 0.42, 0.46);
pub(crate) const ACCENT: Colour = (0.10, 0.23, 0.42);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// One line of text; `y` is its baseline.
    Text { x: f32, y: f32, face: Face, size: f32, colour: Colour, text: String },
    /// A filled box; `y` is its top edge.
    Rect { x: f32, y: f32, w: f32, h: f32, colour: Colour },
    /// A straight rule.
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, colour: Colour },
    /// The supplier's logo; `y` is its top edge.
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

/// Page sizes in points.
pub(crate) fn page_size(paper: Paper) -> (f32, f32) {
    match paper {
        Paper::A4 => (595.276, 841.89),
        Paper::Letter => (612.0, 792.0),
    }
}

/// Text as printed: tabs become spaces, other control characters are dropped.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c == '\t' {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Break `text` into lines no wider than `max` points; '\n' always breaks. Words longer than
/// a line are cut between characters.
pub(crate) fn wrap(text: &str, m: &FaceMetrics, size: f32, max: f32) -> Vec<String> {
    let space = m.width(" ", size);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let para = clean(para);
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let word_w = m.width(word, size);
            if !line.is_empty() && line_w + space + word_w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if word_w <= max {
                line.push_str(word);
                line_w = word_w;
            } else {
                // A word wider than the column: cut it where it overflows.
                line_w = 0.0;
                for c in word.chars() {
                    let mut buf = [0u8; 4];
                    let w = m.width(c.encode_utf8(&mut buf), size);
                    if line_w + w > max && !line.is_empty() {
                        out.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
        }
        out.push(line);
    }
    // Trailing empty lines (a description ending in '\n') carry nothing.
    while out.len() > 1 && out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}
