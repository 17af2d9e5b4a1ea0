//! The reseller's logo as a ready-made PDF image. Decoding a PNG and compressing its pixels
//! costs more than laying out a whole invoice, and every invoice of a run carries the same
//! logo: so it is encoded once and kept (a few entries, keyed by the logo's bytes).
//! A JPEG in gray or RGB goes in as it is (DCTDecode); anything else is decoded and stored
//! as Flate-compressed 8-bit pixels, with its transparency as a soft mask.

use crate::error::Error;
use printpdf::{DictItem, ExternalStream, ExternalXObject, Px, RawImage, RawImageData, RawImageFormat};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A logo encoded for a PDF.
#[derive(Debug)]
pub(crate) struct Logo {
    pub width: u32,
    pub height: u32,
    pub xobject: ExternalXObject,
}

/// Logos seen lately (most recent last).
static CACHE: Mutex<Vec<(Vec<u8>, Arc<Logo>)>> = Mutex::new(Vec::new());
const CACHE_SIZE: usize = 4;

/// The logo for `bytes`, encoded once per process.
pub(crate) fn load(bytes: &[u8]) -> crate::Result<Arc<Logo>> {
    {
        let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, logo)) = cache.iter().find(|(b, _)| b.as_slice() == bytes) {
            return Ok(logo.clone());
        }
    }
    let logo = Arc::new(encode(bytes)?);
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if !cache.iter().any(|(b, _)| b.as_slice() == bytes) {
        if cache.len() >= CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((bytes.to_vec(), logo.clone()));
    }
    Ok(logo)
}

fn bad(message: impl std::fmt::Display) -> Error {
    Error::invalid("logo", format!("the logo cannot be used: {message} (use a PNG or JPEG image)"))
}

fn name(s: &str) -> DictItem {
    DictItem::Name(s.as_bytes().to_vec())
}

fn image_dict(width: u32, height: u32, colour_space: &str, filter: &str) -> BTreeMap<String, DictItem> {
    BTreeMap::from([
        ("Type".to_string(), name("XObject")),
        ("Subtype".to_string(), name("Image")),
        ("Width".to_string(), DictItem::Int(width as i64)),
        ("Height".to_string(), DictItem::Int(height as i64)),
        ("ColorSpace".to_string(), name(colour_space)),
        ("BitsPerComponent".to_string(), DictItem::Int(8)),
        ("Filter".to_string(), name(filter)),
    ])
}

fn deflate(data: &[u8]) -> crate::Result<Vec<u8>> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 4), flate2::Compression::best());
    enc.write_all(data).and_then(|_| enc.finish()).map_err(|e| Error::io(format!("cannot compress the logo: {e}")))
}

/// Width, height and colour components of a baseline or progressive JPEG (its SOF marker).
fn jpeg_header(bytes: &[u8]) -> Option<(u32, u32, u8)> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return None;
    }
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let s = bytes.get(i + 4..i + 10)?;
            let height = u16::from_be_bytes([s[1], s[2]]) as u32;
            let width = u16::from_be_bytes([s[3], s[4]]) as u32;
            return Some((width, height, s[5]));
        }
        i += 2 + len;
    }
    None
}

/// 8-bit pixels: colour samples, alpha (if any pixel is not opaque) and the colour space.
struct Pixels {
    colour: Vec<u8>,
    alpha: Option<Vec<u8>>,
    space: &'static str,
}

/// 8-bit samples from whatever the decoder produced.
fn to_8bit(image: &RawImage) -> crate::Result<Pixels> {
    let (channels, has_alpha, gray, bgr) = match image.data_format {
        RawImageFormat::R8 | RawImageFormat::R16 => (1, false, true, false),
        RawImageFormat::RG8 | RawImageFormat::RG16 => (2, true, true, false),
        RawImageFormat::RGB8 | RawImageFormat::RGB16 | RawImageFormat::RGBF32 => (3, false, false, false),
        RawImageFormat::RGBA8 | RawImageFormat::RGBA16 | RawImageFormat::RGBAF32 => (4, true, false, false),
        RawImageFormat::BGR8 => (3, false, false, true),
        RawImageFormat::BGRA8 => (4, true, false, true),
    };
    let samples: Vec<u8> = match &image.pixels {
        RawImageData::U8(v) => v.clone(),
        RawImageData::U16(v) => v.iter().map(|s| (s >> 8) as u8).collect(),
        RawImageData::F32(v) => v.iter().map(|s| (s.clamp(0.0, 1.0) * 255.0).round() as u8).collect(),
    };
    let pixels = image.width * image.height;
    if samples.len() < pixels * channels {
        return Err(bad("its pixel data is truncated"));
    }
    let colour_channels = if gray { 1 } else { 3 };
    let mut colour = Vec::with_capacity(pixels * colour_channels);
    let mut alpha = has_alpha.then(|| Vec::with_capacity(pixels));
    for px in samples.chunks_exact(channels).take(pixels) {
        if gray {
            colour.push(px[0]);
        } else if bgr {
            colour.extend([px[2], px[1], px[0]]);
        } else {
            colour.extend(&px[..3]);
        }
        if let Some(a) = alpha.as_mut() {
            a.push(px[channels - 1]);
        }
    }
    // An alpha channel that is opaque everywhere is no mask at all.
    let alpha = alpha.filter(|a| a.iter().any(|v| *v != 255));
    Ok(Pixels { colour, alpha, space: if gray { "DeviceGray" } else { "DeviceRGB" } })
}

fn encode(bytes: &[u8]) -> crate::Result<Logo> {
    let mut warnings = Vec::new();
    let image = RawImage::decode_from_bytes(bytes, &mut warnings).map_err(bad)?;
    if image.width == 0 || image.height == 0 {
        return Err(bad("it has no pixels"));
    }
    let (width, height) = (image.width as u32, image.height as u32);

    let (dict, content) = match jpeg_header(bytes) {
        Some((w, h, components @ (1 | 3))) if (w, h) == (width, height) => {
            let cs = if components == 1 { "DeviceGray" } else { "DeviceRGB" };
            (image_dict(width, height, cs, "DCTDecode"), bytes.to_vec())
        }
        _ => {
            let Pixels { colour, alpha, space: cs } = to_8bit(&image)?;
            let mut dict = image_dict(width, height, cs, "FlateDecode");
            if let Some(alpha) = alpha {
                let mask = ExternalStream {
                    dict: image_dict(width, height, "DeviceGray", "FlateDecode"),
                    content: deflate(&alpha)?,
                    compress: false,
                };
                dict.insert("SMask".to_string(), DictItem::Stream { stream: mask });
            }
            (dict, deflate(&colour)?)
        }
    };
    Ok(Logo {
        width,
        height,
        xobject: ExternalXObject {
            stream: ExternalStream { dict, content, compress: false },
            width: Some(Px(width as usize)),
            height: Some(Px(height as usize)),
            dpi: Some(72.0),
        },
    })
}
