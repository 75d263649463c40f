//! Deployment packages: a small zip reader (stored and deflated entries, the
//! central directory, CRC-32 checked, Unix modes kept so `bootstrap` stays
//! executable) and writer. Written here on `flate2` (pure Rust, already a
//! dependency) rather than the `zip` crate: Lambda packages need no more than
//! this, and it adds no dependency. ZIP64 and encrypted entries are refused
//! with a clear error (`InvalidZipFileException`-like).

use flate2::Crc;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// AWS's limit on a function's unzipped code.
pub const MAX_UNZIPPED: u64 = 250 * 1024 * 1024;

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// A relative path, `/`-separated.
    pub path: String,
    pub data: Vec<u8>,
    /// Unix permission bits (0o644 when the zip carries none).
    pub mode: u32,
    pub dir: bool,
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| "the zip file is truncated".to_string())
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| "the zip file is truncated".to_string())
}

/// Reads every entry of a zip archive.
pub fn read(zip: &[u8]) -> Result<Vec<Entry>, String> {
    if zip.len() < 22 {
        return Err("the zip file is too small to be a zip archive".to_string());
    }
    let lowest = zip.len().saturating_sub(22 + 65_535);
    let eocd = (lowest..=zip.len() - 22)
        .rev()
        .find(|&i| zip[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or("no end of central directory record: not a zip archive")?;
    let count = u16_at(zip, eocd + 10)? as usize;
    let mut at = u32_at(zip, eocd + 16)? as usize;
    if count == 0xffff || at == 0xffff_ffff {
        return Err("ZIP64 archives are not supported: zip the package without ZIP64".to_string());
    }
    let mut out = Vec::with_capacity(count);
    let mut total: u64 = 0;
    for _ in 0..count {
        if u32_at(zip, at)? != 0x0201_4b50 {
            return Err("a central directory entry is corrupt".to_string());
        }
        let made_by = u16_at(zip, at + 4)?;
        let flags = u16_at(zip, at + 8)?;
        let method = u16_at(zip, at + 10)?;
        let crc = u32_at(zip, at + 16)?;
        let csize = u32_at(zip, at + 20)? as usize;
        let usize_ = u32_at(zip, at + 24)? as u64;
        let name_len = u16_at(zip, at + 28)? as usize;
        let extra_len = u16_at(zip, at + 30)? as usize;
        let comment_len = u16_at(zip, at + 32)? as usize;
        let ext_attr = u32_at(zip, at + 38)?;
        let local = u32_at(zip, at + 42)? as usize;
        let name = zip
            .get(at + 46..at + 46 + name_len)
            .ok_or("the zip file is truncated")?;
        let name = String::from_utf8_lossy(name).replace('\\', "/");
        at += 46 + name_len + extra_len + comment_len;
        if flags & 1 != 0 {
            return Err(format!(
                "{name} is encrypted: encrypted zips are not supported"
            ));
        }
        check_path(&name)?;
        let dir = name.ends_with('/');
        let unix = (made_by >> 8) == 3 && (ext_attr >> 16) != 0;
        let mode = if unix {
            (ext_attr >> 16) & 0o777
        } else if dir {
            0o755
        } else {
            0o644
        };
        total += usize_;
        if total > MAX_UNZIPPED {
            return Err(format!(
                "the unzipped code is larger than {MAX_UNZIPPED} bytes (AWS's limit)"
            ));
        }
        if u32_at(zip, local)? != 0x0403_4b50 {
            return Err(format!("the local header of {name} is corrupt"));
        }
        let start =
            local + 30 + u16_at(zip, local + 26)? as usize + u16_at(zip, local + 28)? as usize;
        let raw = zip
            .get(start..start + csize)
            .ok_or_else(|| format!("the data of {name} is truncated"))?;
        let data = match method {
            0 => raw.to_vec(),
            8 => {
                let mut data = Vec::with_capacity(usize_ as usize);
                flate2::read::DeflateDecoder::new(raw)
                    .take(usize_ + 1)
                    .read_to_end(&mut data)
                    .map_err(|e| format!("{name} cannot be inflated: {e}"))?;
                data
            }
            m => {
                return Err(format!(
                    "{name} uses compression method {m}: only stored and deflated entries are supported"
                ));
            }
        };
        if data.len() as u64 != usize_ {
            return Err(format!("{name} has the wrong size once unzipped"));
        }
        let mut c = Crc::new();
        c.update(&data);
        if c.sum() != crc {
            return Err(format!("{name} fails its CRC-32 check: the zip is corrupt"));
        }
        out.push(Entry {
            path: name,
            data,
            mode,
            dir,
        });
    }
    Ok(out)
}

/// Refuses absolute paths and `..` (a package must stay in its directory).
fn check_path(name: &str) -> Result<(), String> {
    let p = Path::new(name);
    if name.is_empty()
        || p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "the zip entry {name:?} is not a relative path inside the package"
        ));
    }
    Ok(())
}

/// Writes the entries under `dir` (created), with their modes.
pub fn extract(entries: &[Entry], dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)?;
    for e in entries {
        let path: PathBuf = dir.join(e.path.trim_end_matches('/'));
        if e.dir {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &e.data)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(e.mode))?;
    }
    Ok(())
}

/// A zip archive of `(path, contents, unix mode)` files, deflated: what a
/// test or eddy's own built-in functions package.
pub fn build(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (path, data, mode) in files {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(data);
        let packed = enc.finish().unwrap_or_default();
        let mut c = Crc::new();
        c.update(data);
        let crc = c.sum();
        let offset = out.len() as u32;
        let name = path.as_bytes();
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&8u16.to_le_bytes()); // deflate
        out.extend_from_slice(&0u32.to_le_bytes()); // time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&packed);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: Unix
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&8u16.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(packed.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&((0o100_000 | mode) << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_at = out.len() as u32;
    let cd_len = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_build_writes_read_gives_back_with_modes() {
        let z = build(&[
            ("bootstrap", b"#!/bin/sh\necho hi\n", 0o755),
            (
                "lib/handler.py",
                b"def handler(e, c):\n    return e\n",
                0o644,
            ),
        ]);
        let got = read(&z).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].path, "bootstrap");
        assert_eq!(got[0].mode, 0o755);
        assert_eq!(got[1].data, b"def handler(e, c):\n    return e\n");
        let dir = std::env::temp_dir().join(format!("eddy-zip-test-{}", std::process::id()));
        extract(&got, &dir).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(dir.join("bootstrap"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o777, 0o755);
        assert!(dir.join("lib/handler.py").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_and_escaping_zips_are_refused() {
        assert!(read(b"not a zip at all, not even close").is_err());
        let mut z = build(&[("a.txt", b"hello hello hello", 0o644)]);
        // Flip a byte of the deflated data: CRC or inflate fails.
        z[30 + "a.txt".len() + 1] ^= 0xff;
        assert!(read(&z).is_err());
        let z = build(&[("../evil", b"x", 0o644)]);
        let e = read(&z).unwrap_err();
        assert!(e.contains("relative path"), "{e}");
        let z = build(&[("/etc/passwd", b"x", 0o644)]);
        assert!(read(&z).is_err());
    }
}
