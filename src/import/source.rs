//! Source files: their kind, their text encoding, and a UTF-8 copy when DuckDB needs one.
//!
//! DuckDB reads UTF-8 CSV itself (fast and in parallel). GBK/GB18030 and UTF-16 files are
//! first decoded to a UTF-8 copy with `encoding_rs`, streamed in 1 MB blocks.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::progress::Progress;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Excel,
    Parquet,
}

/// The kind of a file by its name.
pub fn kind_of(path: &Path) -> anyhow::Result<Kind> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => Ok(Kind::Csv),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Ok(Kind::Excel),
        "parquet" => Ok(Kind::Parquet),
        _ => crate::bail_say!(
            "{}: cannot import .{ext} files; supported are .csv, .tsv, .txt (delimited text), \
             .xlsx, .xls, .xlsm, .xlsb, .ods (workbooks) and .parquet",
            "{}：不能导入 .{ext} 文件；支持的有 .csv、.tsv、.txt（分隔文本），.xlsx、.xls、.xlsm、.xlsb、.ods（工作簿）和 .parquet",
            path.display()
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }

    fn decoder(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }

    /// Parses a name given on the command line (GBK and GB2312 read as GB18030, their
    /// superset).
    pub fn parse(s: &str) -> anyhow::Result<Encoding> {
        match s.to_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" | "utf8bom" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Ok(Encoding::Gb18030),
            "utf16" | "utf16le" => Ok(Encoding::Utf16Le),
            "utf16be" => Ok(Encoding::Utf16Be),
            _ => crate::bail_say!(
                "unknown encoding '{s}': use utf-8, gbk, gb18030, utf-16le or utf-16be",
                "未知编码“{s}”：请用 utf-8、gbk、gb18030、utf-16le 或 utf-16be"
            ),
        }
    }
}

/// Guesses the encoding: a byte-order mark decides; otherwise UTF-8 if the whole file is
/// valid UTF-8, else GB18030 (which reads GBK and GB2312 too).
pub fn detect_encoding(path: &Path) -> anyhow::Result<Encoding> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| crate::said!("cannot open {}: {:#}", "无法打开 {}：{:#}", path.display(), e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(if carry.is_empty() {
                Encoding::Utf8
            } else {
                Encoding::Gb18030
            });
        }
        let mut chunk = std::mem::take(&mut carry);
        chunk.extend_from_slice(&buf[..n]);
        if first {
            first = false;
            if chunk.starts_with(&[0xFF, 0xFE]) {
                return Ok(Encoding::Utf16Le);
            }
            if chunk.starts_with(&[0xFE, 0xFF]) {
                return Ok(Encoding::Utf16Be);
            }
            if chunk.iter().take(8192).any(|b| *b == 0) {
                crate::bail_say!(
                    "{}: this looks like a binary file, not delimited text (it has NUL bytes near the start)",
                    "{}：这看起来是二进制文件，不是分隔文本（开头附近有 NUL 字节）",
                    path.display()
                );
            }
        }
        match std::str::from_utf8(&chunk) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => carry = chunk[e.valid_up_to()..].to_vec(),
            Err(_) => return Ok(Encoding::Gb18030),
        }
    }
}

/// A UTF-8 copy of `path` (in `scratch_dir`) when it is in another encoding; None when
/// DuckDB can read the file as it is.
pub fn utf8_copy(
    path: &Path,
    enc: Encoding,
    scratch_dir: &Path,
    progress: &Progress,
) -> anyhow::Result<Option<PathBuf>> {
    if enc == Encoding::Utf8 {
        return Ok(None);
    }
    let encoding = enc.decoder();
    let total = std::fs::metadata(path)?.len().max(1);
    let out_path = scratch_dir.join(format!(
        ".mams-import-{}-{}.csv",
        std::process::id(),
        file_stem(path)
    ));
    let mut input = std::fs::File::open(path)?;
    let mut output = std::io::BufWriter::new(std::fs::File::create(&out_path).map_err(|e| {
        crate::said!(
            "cannot write {}: {:#}",
            "无法写入 {}：{:#}",
            out_path.display(),
            e
        )
    })?);
    let started = std::time::Instant::now();
    let mut read = 0u64;
    let mut malformed = 0u64;
    let result = (|| -> anyhow::Result<()> {
        let mut written = |text: &str, bytes_in: u64, bad: u64| -> anyhow::Result<()> {
            progress.check()?;
            output.write_all(text.as_bytes())?;
            read += bytes_in;
            malformed += bad;
            progress.set(
                Some(0.3 * read as f32 / total as f32),
                crate::say!(
                    "decoding {} from {}",
                    "正在按 {1} 解码 {0}",
                    file_name(path),
                    enc.name()
                ),
            );
            Ok(())
        };
        if enc == Encoding::Gb18030 {
            decode_lines_in_parallel(&mut input, encoding, &mut written)?;
        } else {
            decode_in_order(&mut input, encoding, &mut written)?;
        }
        output.flush()?;
        // A handful of bad bytes is a damaged file; many mean the wrong encoding.
        if malformed > 16 && malformed * 200 > read {
            crate::bail_say!(
                "{}: {malformed} byte sequences are not valid {}; the file is probably in another encoding (try --encoding utf-8, gbk or utf-16)",
                "{}：有 {malformed} 处字节序列不是有效的 {}；文件可能是另一种编码（请试试 utf-8、gbk 或 utf-16）",
                path.display(),
                enc.name()
            );
        }
        Ok(())
    })();
    tracing::debug!("import step: decoded to a UTF-8 copy in {:?}", started.elapsed());
    match result {
        Ok(()) => Ok(Some(out_path)),
        Err(e) => {
            let _ = std::fs::remove_file(&out_path);
            Err(e)
        }
    }
}

/// Receives decoded text in file order: (text, bytes of the file it came from, malformed
/// sequences in it).
type Sink<'a> = dyn FnMut(&str, u64, u64) -> anyhow::Result<()> + 'a;

/// Decodes `bytes` whole into UTF-8; returns the text and its malformed sequences.
fn decode_chunk(decoder: &mut encoding_rs::Decoder, bytes: &[u8], last: bool) -> (String, u64) {
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (_, _, had_errors) = decoder.decode_to_string(bytes, &mut out, last);
    let bad = if had_errors {
        out.matches('\u{FFFD}').count() as u64
    } else {
        0
    };
    (out, bad)
}

/// Block size of decoding.
const DECODE_BLOCK: usize = 4 << 20;

/// Decodes the stream block by block on this thread (UTF-16: a block may end inside a
/// character, so one decoder carries over).
fn decode_in_order(
    input: &mut impl Read,
    encoding: &'static encoding_rs::Encoding,
    sink: &mut Sink,
) -> anyhow::Result<()> {
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut block = vec![0u8; DECODE_BLOCK];
    loop {
        let n = input.read(&mut block)?;
        let (text, bad) = decode_chunk(&mut decoder, &block[..n], n == 0);
        sink(&text, n as u64, bad)?;
        if n == 0 {
            return Ok(());
        }
    }
}

/// Decodes GBK/GB18030 on two threads. A line break (0x0A) is never part of a multi-byte
/// character in these encodings, so blocks cut after a line break decode on their own;
/// blocks are handed out in turn and their text is written back in the same turn, so the
/// order is kept and at most a few blocks are in memory.
fn decode_lines_in_parallel(
    input: &mut (impl Read + Send),
    encoding: &'static encoding_rs::Encoding,
    sink: &mut Sink,
) -> anyhow::Result<()> {
    use std::sync::mpsc::sync_channel;
    const WORKERS: usize = 2;
    std::thread::scope(|scope| {
        let mut to_workers = Vec::new();
        let mut from_workers = Vec::new();
        for _ in 0..WORKERS {
            let (tx, rx) = sync_channel::<(bool, Vec<u8>)>(2);
            let (done_tx, done_rx) = sync_channel::<(String, u64, u64)>(2);
            scope.spawn(move || {
                for (first, bytes) in rx {
                    let mut decoder = if first {
                        encoding.new_decoder_with_bom_removal()
                    } else {
                        encoding.new_decoder_without_bom_handling()
                    };
                    let (text, bad) = decode_chunk(&mut decoder, &bytes, true);
                    if done_tx.send((text, bytes.len() as u64, bad)).is_err() {
                        return;
                    }
                }
            });
            to_workers.push(tx);
            from_workers.push(done_rx);
        }
        let reader = scope.spawn(move || -> std::io::Result<()> {
            let mut carry: Vec<u8> = Vec::new();
            let mut block = vec![0u8; DECODE_BLOCK];
            let mut sent = 0;
            loop {
                let n = input.read(&mut block)?;
                carry.extend_from_slice(&block[..n]);
                // Cut after the last line break; the rest goes with the next block.
                let cut = if n == 0 {
                    carry.len()
                } else {
                    match carry.iter().rposition(|b| *b == b'\n') {
                        Some(p) => p + 1,
                        None => continue,
                    }
                };
                let rest = carry.split_off(cut);
                let chunk = std::mem::replace(&mut carry, rest);
                if to_workers[sent % WORKERS].send((sent == 0, chunk)).is_err() || n == 0 {
                    return Ok(());
                }
                sent += 1;
            }
        });
        for i in 0.. {
            let Ok((text, bytes, bad)) = from_workers[i % WORKERS].recv() else {
                break;
            };
            sink(&text, bytes, bad)?;
            if bytes == 0 {
                break;
            }
        }
        drop(from_workers);
        reader
            .join()
            .map_err(|_| crate::said!("the file reader stopped", "读取文件的线程意外停止"))??;
        Ok(())
    })
}

/// The header line of a text file in `enc` (after `skip` lines), BOM removed.
fn header_line(path: &Path, skip: u32, enc: Encoding) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut head = vec![0u8; 256 * 1024];
    let n = f.read(&mut head)?;
    let (text, _) = enc.decoder().decode_with_bom_removal(&head[..n]);
    let line = text.lines().nth(skip as usize).unwrap_or("").to_string();
    if line.trim().is_empty() {
        crate::bail_say!(
            "{}: no header line (line {} is empty)",
            "{}：没有表头行（第 {} 行是空的）",
            path.display(),
            skip + 1
        );
    }
    Ok(line)
}

/// Whether every byte after the header (line `skip` + 1) is ASCII, which reads the same
/// in GBK/GB18030 as in UTF-8: then DuckDB can read such a file itself and only its
/// header needs decoding. Stops at the first other byte, usually in the first rows of a
/// file with Chinese text in it. (A line break is never part of a GBK character, so lines
/// are counted on the bytes.)
pub fn ascii_after_header(path: &Path, skip: u32) -> anyhow::Result<bool> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| crate::said!("cannot open {}: {:#}", "无法打开 {}：{:#}", path.display(), e))?;
    let mut block = vec![0u8; 4 << 20];
    let mut lines_left = skip as usize + 1;
    loop {
        let n = f.read(&mut block)?;
        if n == 0 {
            return Ok(true);
        }
        let mut rest = &block[..n];
        while lines_left > 0 {
            match rest.iter().position(|b| *b == b'\n') {
                Some(p) => {
                    rest = &rest[p + 1..];
                    lines_left -= 1;
                }
                None => {
                    rest = &[];
                    break;
                }
            }
        }
        if !rest.is_ascii() {
            return Ok(false);
        }
    }
}

/// The delimiter and the column names of a text file, read from its header line: the most
/// frequent of tab, comma, semicolon and bar outside quotes (comma when there is none).
/// Empty names become column_N and repeated ones get a suffix, as DuckDB needs unique names.
pub fn header(path: &Path, skip: u32, enc: Encoding) -> anyhow::Result<(char, Vec<String>)> {
    let line = header_line(path, skip, enc)?;
    let delimiter = sniff_delimiter(&line);
    let mut names: Vec<String> = Vec::new();
    let (mut cur, mut quoted) = (String::new(), false);
    for ch in line.chars().chain(std::iter::once(delimiter)) {
        if ch == '"' {
            quoted = !quoted;
        } else if ch == delimiter && !quoted {
            let mut name = cur.trim().to_string();
            if name.is_empty() {
                name = format!("column_{}", names.len() + 1);
            }
            let base = name.clone();
            let mut k = 2;
            while names.contains(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
            names.push(name);
            cur.clear();
        } else {
            cur.push(ch);
        }
    }
    Ok((delimiter, names))
}

fn sniff_delimiter(line: &str) -> char {
    let mut counts = [('\t', 0usize), (',', 0), (';', 0), ('|', 0)];
    let mut quoted = false;
    for ch in line.chars() {
        if ch == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == ch) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| *d)
        .unwrap_or(',')
}

/// About how many lines a text file has, from the length of the lines at its start (for
/// rows per second while DuckDB reads it); None for other files.
pub fn estimate_lines(path: &Path) -> Option<u64> {
    let size = std::fs::metadata(path).ok()?.len();
    let mut head = vec![0u8; 256 * 1024];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    if n == 0 || head[..n].starts_with(b"PAR1") {
        return None;
    }
    let lines = head[..n].iter().filter(|b| **b == b'\n').count().max(1) as u64;
    Some(size * lines / n as u64)
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .take(24)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mams-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn gbk_decoded_on_two_threads_equals_decoding_it_whole() {
        // Several blocks of Chinese text, with lines of every length so that blocks end
        // at different places, a last line without a line break, and one bad byte.
        let mut text = String::new();
        for i in 0..200_000 {
            text.push_str(&format!(
                "{i},国网某供电公司营业厅{},电量{}\n",
                "用".repeat(i % 37),
                i * 7
            ));
        }
        text.push_str("最后一行");
        let (mut bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let mut bytes = bytes.to_mut().clone();
        bytes[5_000_000] = 0xFF;
        assert!(bytes.len() > 3 * DECODE_BLOCK);
        let (whole, _, _) = encoding_rs::GB18030.decode(&bytes);
        let mut out = String::new();
        let (mut read, mut bad) = (0, 0);
        decode_lines_in_parallel(&mut bytes.as_slice(), encoding_rs::GB18030, &mut |t, n, b| {
            out.push_str(t);
            read += n;
            bad += b;
            Ok(())
        })
        .unwrap();
        assert_eq!(read, bytes.len() as u64);
        assert!(bad > 0);
        assert_eq!(bad as usize, whole.matches('\u{FFFD}').count());
        assert!(out == whole, "the texts differ");
    }

    #[test]
    fn encodings_are_detected_and_decoded() {
        let text = "户号,电量\n3100000001,120\n";
        let utf8 = write("u.csv", text.as_bytes());
        assert_eq!(detect_encoding(&utf8).unwrap(), Encoding::Utf8);
        let bom = write("b.csv", &[b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
        assert_eq!(detect_encoding(&bom).unwrap(), Encoding::Utf8);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let gbk = write("g.csv", &gbk);
        assert_eq!(detect_encoding(&gbk).unwrap(), Encoding::Gb18030);
        let mut u16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        let u16 = write("w.csv", &u16);
        assert_eq!(detect_encoding(&u16).unwrap(), Encoding::Utf16Le);
        let dir = gbk.parent().unwrap();
        for (p, enc) in [(&gbk, Encoding::Gb18030), (&u16, Encoding::Utf16Le)] {
            let copy = utf8_copy(p, enc, dir, &Progress::new()).unwrap().unwrap();
            assert_eq!(std::fs::read_to_string(&copy).unwrap(), text);
        }
        let garbage = write("x.csv", &[0u8, 1, 2, 3, 0, 0, 159, 146, 150]);
        assert!(
            detect_encoding(&garbage)
                .unwrap_err()
                .to_string()
                .contains("binary")
        );
        assert_eq!(Encoding::parse("GBK").unwrap(), Encoding::Gb18030);
        assert!(Encoding::parse("latin9").is_err());
    }

    #[test]
    fn text_that_is_not_in_the_named_encoding_is_refused() {
        // 0xFF never starts a GB18030 character: hundreds of them are not a damaged file
        // but the wrong encoding, and the message says what to try.
        let bytes = [
            b"a,b\n".as_slice(),
            &[0xFF, b'1', b',', 0xFF, b'2', b'\n'].repeat(300),
        ]
        .concat();
        let p = write("wrong.csv", &bytes);
        let err = utf8_copy(&p, Encoding::Gb18030, p.parent().unwrap(), &Progress::new()).unwrap_err();
        assert!(err.to_string().contains("another encoding"), "{err}");
    }

    #[test]
    fn ascii_below_the_header_is_found_across_blocks() {
        let (title, _, _) = encoding_rs::GBK.encode("说明：十月\n户号,电量\n");
        let rows = "3100000001,120\n".repeat(400_000); // more than one 4 MB block
        let mut ascii = title.to_vec();
        ascii.extend_from_slice(rows.as_bytes());
        let p = write("ascii-rows.csv", &ascii);
        assert!(ascii_after_header(&p, 1).unwrap());
        // Skipping one line less, the Chinese header is a row.
        assert!(!ascii_after_header(&p, 0).unwrap());
        let mut late = ascii.clone();
        late.extend_from_slice(&encoding_rs::GBK.encode("3100000002,一百\n").0);
        assert!(!ascii_after_header(&write("late-chinese.csv", &late), 1).unwrap());
        // A header without rows (nor a line break): nothing below it is not ASCII.
        assert!(ascii_after_header(&write("header-only.csv", &title[..title.len() - 1]), 1).unwrap());
        assert_eq!(
            header(&p, 1, Encoding::Gb18030).unwrap(),
            (',', vec!["户号".to_string(), "电量".to_string()])
        );
    }
}
