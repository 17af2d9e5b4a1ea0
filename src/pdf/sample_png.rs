//! A logo for tests and benchmarks, made by hand so that nothing binary is checked in: a blue
//! badge on a transparent background. Used by the PDF tests (`src/pdf/tests.rs`) and included by
//! `benches/pdf.rs`.

use std::io::Write;

/// A PNG (RGBA, 8-bit) made by hand: a blue rounded badge with a transparent background.
pub fn sample_png(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in data {
            crc ^= *b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend(data);
        out.extend(&c);
        out.extend(crc32(&c).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0u8);
        for x in 0..w {
            // A disc on the left, a bar on the right.
            let (cx, cy, r) = (h as f32 / 2.0, h as f32 / 2.0, h as f32 / 2.0 - 1.0);
            let in_disc = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() <= r;
            let in_bar = x as f32 > h as f32 * 1.2 && y > h / 3 && y < h * 2 / 3;
            if in_disc || in_bar {
                raw.extend([26, 58, 107, 255]);
            } else {
                raw.extend([255, 255, 255, 0]);
            }
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let idat = z.finish().unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}
