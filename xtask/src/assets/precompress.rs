//! Precompression: a `.br` and a `.gz` beside each text or wasm file where they are smaller.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::release::files_under;
use super::COMPRESSIBLE;
use crate::run::Result;

pub(super) fn compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e))
}

/// Brotli at its best: quality 11, the largest window every browser decodes. A large file (the
/// wasm) is also tried in blocks of 2^16 bytes, which brotli's own choice misses on wasm (0.1 KB
/// on the form's), and the smaller output kept.
pub(crate) fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let compress = |lgblock| -> Result<Vec<u8>> {
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 24,
            lgblock,
            ..Default::default()
        };
        let mut out = Vec::new();
        brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
        Ok(out)
    };
    let chosen = compress(0)?;
    if bytes.len() < 1 << 16 {
        return Ok(chosen);
    }
    let blocks = compress(16)?;
    Ok(if blocks.len() < chosen.len() {
        blocks
    } else {
        chosen
    })
}

pub(super) fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Writes `.br` and `.gz` beside every compressible file where they are smaller than it.
pub(super) fn precompress(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    files_under(dir, Path::new(""), &mut files)?;
    for file in files.iter().filter(|f| compressible(f)) {
        let path = dir.join(file);
        let bytes = fs::read(&path)?;
        for (suffix, encoded) in [("br", brotli(&bytes)?), ("gz", gzip(&bytes)?)] {
            if encoded.len() < bytes.len() {
                fs::write(sibling(&path, suffix), encoded)?;
            }
        }
    }
    Ok(())
}

pub(super) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}
