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
    /// Windows-1252, the superset of ISO 8859-1 that Western European systems write.
    Latin1,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Latin1 => "Windows-1252 (Latin-1)",
        }
    }

    fn decoder(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Latin1 => encoding_rs::WINDOWS_1252,
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
            "latin1" | "iso88591" | "windows1252" | "cp1252" => Ok(Encoding::Latin1),
            _ => crate::bail_say!(
                "unknown encoding '{s}': use utf-8, gbk, gb18030, utf-16le, utf-16be or latin1",
                "未知编码“{s}”：请用 utf-8、gbk、gb18030、utf-16le、utf-16be 或 latin1"
            ),
        }
    }
}

/// Guesses the encoding: a byte-order mark decides; a file that is UTF-8 throughout is
/// UTF-8 (one fast pass). Otherwise the lines are looked at one by one (`census`):
/// - mostly UTF-8 with a few lines in another encoding (rows pasted from a GBK file): UTF-8,
///   and DuckDB rejects the other lines with their line numbers;
/// - Chinese text in GBK: GB18030 (which reads GBK and GB2312 too);
/// - neither (accented Latin letters read as GBK would be stored as Chinese nonsense):
///   refused, naming the lines and the encoding to try.
pub fn detect_encoding(path: &Path) -> anyhow::Result<Encoding> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| crate::said!("cannot open {}: {:#}", "无法打开 {}：{:#}", path.display(), e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            if carry.is_empty() {
                return Ok(Encoding::Utf8);
            }
            break;
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
            Err(_) => break,
        }
    }
    let c = census(path)?;
    if c.utf8_lines >= c.other_lines.max(1) {
        return Ok(Encoding::Utf8);
    }
    if c.other_pairs > c.gbk_pairs {
        let lines: Vec<String> = c.first_others.iter().map(u64::to_string).collect();
        crate::bail_say!(
            "{}: the file is neither UTF-8 nor Chinese text in GBK ({} line(s) are not UTF-8, for example line(s) {}; their letters look like Latin-1). Name its encoding (for example --encoding latin1), or save it as UTF-8",
            "{}：文件既不是 UTF-8，也不是 GBK 编码的中文（有 {} 行不是 UTF-8，例如第 {} 行；其中的字母像 Latin-1）。请指定编码（例如 --encoding latin1），或另存为 UTF-8",
            path.display(),
            c.other_lines,
            lines.join(", ")
        );
    }
    Ok(Encoding::Gb18030)
}

/// What the lines of a text file say about its encoding.
#[derive(Debug, Default)]
struct Census {
    /// Lines that are UTF-8 and cannot be GBK (lines valid in both say nothing).
    utf8_lines: u64,
    /// Lines that are not UTF-8, and the first few of them (1 = the first line).
    other_lines: u64,
    first_others: Vec<u64>,
    /// In the lines that are not UTF-8, byte pairs that are a GBK Chinese character (second
    /// byte from 0xA1, or the four-byte form of GB18030), and pairs that are not.
    gbk_pairs: u64,
    other_pairs: u64,
}

/// How much of `read` (bytes read so far, not yet handed on) is whole lines: up to the
/// last line break, or everything at the end of the file; None when no line is whole yet.
/// The rest goes with the next block.
fn whole_lines(read: &[u8], at_end: bool) -> Option<usize> {
    if at_end {
        return Some(read.len());
    }
    read.iter().rposition(|b| *b == b'\n').map(|p| p + 1)
}

fn census(path: &Path) -> anyhow::Result<Census> {
    let mut f = std::fs::File::open(path)?;
    let mut c = Census::default();
    let mut block = vec![0u8; 4 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut line_no = 0u64;
    loop {
        let n = f.read(&mut block)?;
        carry.extend_from_slice(&block[..n]);
        let Some(cut) = whole_lines(&carry, n == 0) else {
            continue;
        };
        let lines = &carry[..cut];
        if lines.is_ascii() {
            line_no += memchr::memchr_iter(b'\n', lines).count() as u64;
        } else {
            for line in lines.split_inclusive(|b| *b == b'\n') {
                line_no += 1;
                c.add(line, line_no);
            }
        }
        carry.drain(..cut);
        // Thousands of lines that are not UTF-8 against next to none that are: the rest of
        // a big file would not change the choice (and GB18030 keeps UTF-8 Chinese lines).
        let settled = c.other_lines > 2000 && c.other_lines > 20 * c.utf8_lines;
        if n == 0 || settled {
            return Ok(c);
        }
    }
}

impl Census {
    fn add(&mut self, line: &[u8], line_no: u64) {
        if line.is_ascii() {
            return;
        }
        if std::str::from_utf8(line).is_ok() {
            let gbk = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(line);
            if gbk.is_none() || is_utf8_chinese(line) {
                self.utf8_lines += 1;
            }
            return;
        }
        self.other_lines += 1;
        if self.first_others.len() < 5 {
            self.first_others.push(line_no);
        }
        let mut i = 0;
        while i < line.len() {
            if line[i] < 0x80 {
                i += 1;
                continue;
            }
            match line.get(i + 1) {
                Some(0xA1..=0xFE | 0x30..=0x39) => self.gbk_pairs += 1,
                _ => self.other_pairs += 1,
            }
            i += 2;
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
    let out_path = crate::store::scratch::new_file(scratch_dir, "import", "csv");
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
        let mut written = |text: &[u8], bytes_in: u64, bad: u64| -> anyhow::Result<()> {
            progress.check()?;
            output.write_all(text)?;
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
        let by_lines = matches!(enc, Encoding::Gb18030 | Encoding::Latin1);
        if by_lines {
            decode_lines_in_parallel(&mut input, encoding, &mut written)?;
        } else {
            decode_in_order(&mut input, encoding, &mut written)?;
        }
        output.flush()?;
        // A few lines that do not decode are rejected with their numbers (see
        // `decode_lines_strictly`); many mean the wrong encoding. UTF-16 is decoded as one
        // stream and cannot keep a bad line apart: any bad sequence refuses the file.
        if (!by_lines && malformed > 0) || (malformed > 16 && malformed * 200 > read) {
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

/// Receives decoded text in file order: (UTF-8 bytes, bytes of the file it came from,
/// malformed sequences or lines in it).
type Sink<'a> = dyn FnMut(&[u8], u64, u64) -> anyhow::Result<()> + 'a;

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

/// Whether a line is UTF-8 whose letters are Chinese (CJK characters, their punctuation and
/// full-width forms). Such a line in a GBK file was written by another program in UTF-8:
/// Chinese in UTF-8 is nearly always valid GBK byte for byte (as nonsense), while GBK text
/// is rarely valid UTF-8 and, when it is, decodes to Cyrillic or Greek, not Chinese.
fn is_utf8_chinese(line: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let mut chinese = false;
    for c in text.chars().filter(|c| !c.is_ascii()) {
        match u32::from(c) {
            0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF => chinese = true,
            // Signs Chinese text uses beside its characters: the middle dot of names
            // (阿卜杜·热合曼), × ° ², ℃ №, ①, “quotes”, box drawing.
            0x00A0..=0x00FF | 0x2000..=0x2BFF | 0xFE30..=0xFE4F | 0xFEFF => {}
            _ => return false,
        }
    }
    chinese
}

/// Decodes a block of whole lines into UTF-8, line by line. A line in UTF-8 Chinese (pasted
/// in by another program) is kept as it is; a line that is not valid in the encoding is kept
/// as its bytes too, which DuckDB refuses as not UTF-8 and MAMS rejects with its line number.
/// No replacement character is ever stored. Returns the text and the bad lines.
fn decode_lines_strictly(
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
    first: bool,
) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(bytes.len() * 3 / 2);
    let mut bad = 0;
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        if line.is_ascii() || is_utf8_chinese(line) {
            out.extend_from_slice(line);
            continue;
        }
        match encoding.decode_without_bom_handling_and_without_replacement(line) {
            Some(text) if first && i == 0 => {
                out.extend_from_slice(text.strip_prefix('\u{FEFF}').unwrap_or(&text).as_bytes())
            }
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => {
                bad += 1;
                out.extend_from_slice(line);
            }
        }
    }
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
        sink(text.as_bytes(), n as u64, bad)?;
        if n == 0 {
            return Ok(());
        }
    }
}

/// Decodes GBK/GB18030 (or Latin-1) on two threads. A line break (0x0A) is never part of a multi-byte
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
            let (done_tx, done_rx) = sync_channel::<(Vec<u8>, u64, u64)>(2);
            scope.spawn(move || {
                for (first, bytes) in rx {
                    let (text, bad) = decode_lines_strictly(encoding, &bytes, first);
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
                let Some(cut) = whole_lines(&carry, n == 0) else {
                    continue;
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

/// Whether a quoted field of the file holds a line break (RFC 4180 allows it: a multi-line
/// address), with every quote closed. Quotes are counted on the bytes: a doubled quote
/// inside a field toggles twice, and no byte of a GBK or UTF-8 character is a quote or a
/// line break. A quote left open is not a field with line breaks but a damaged line, which
/// DuckDB's parallel reader reports (read on one thread, it would swallow the lines after).
pub fn has_quoted_line_breaks(path: &Path) -> anyhow::Result<bool> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| crate::said!("cannot open {}: {:#}", "无法打开 {}：{:#}", path.display(), e))?;
    let mut block = vec![0u8; 4 << 20];
    let (mut quoted, mut breaks) = (false, false);
    loop {
        let n = f.read(&mut block)?;
        if n == 0 {
            return Ok(breaks && !quoted);
        }
        // From quote to quote: a stretch inside quotes is searched for a line break.
        let mut rest = &block[..n];
        while !rest.is_empty() {
            let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
            if quoted && !breaks && memchr::memchr2(b'\n', b'\r', &rest[..end]).is_some() {
                breaks = true;
            }
            if end < rest.len() {
                quoted = !quoted;
                rest = &rest[end + 1..];
            } else {
                rest = &[];
            }
        }
    }
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
        // Decoded whole, except that the damaged line stays as its bytes.
        let expected: Vec<u8> = whole
            .split_inclusive('\n')
            .zip(bytes.split_inclusive(|b| *b == b'\n'))
            .flat_map(|(text, raw)| {
                if text.contains('\u{FFFD}') {
                    raw.to_vec()
                } else {
                    text.as_bytes().to_vec()
                }
            })
            .collect();
        let mut out = Vec::new();
        let (mut read, mut bad) = (0, 0);
        decode_lines_in_parallel(&mut bytes.as_slice(), encoding_rs::GB18030, &mut |t, n, b| {
            out.extend_from_slice(t);
            read += n;
            bad += b;
            Ok(())
        })
        .unwrap();
        assert_eq!(read, bytes.len() as u64);
        assert_eq!(bad, 1, "one damaged line");
        assert!(out == expected, "the texts differ");
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
    fn utf8_chinese_lines_are_told_from_gbk_lines_that_happen_to_be_utf8() {
        // "小" in GBK is D0 A1, which is valid UTF-8 for the Cyrillic "С": not Chinese.
        let (gbk, _, _) = encoding_rs::GBK.encode("1,小,2\n");
        assert!(std::str::from_utf8(&gbk).is_ok());
        assert!(!is_utf8_chinese(&gbk));
        // Chinese in UTF-8 (an even number of bytes) is valid GBK, as nonsense.
        let utf8 = "2,孙七,居民生活\n".as_bytes();
        assert!(
            encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(utf8)
                .is_some()
        );
        assert!(is_utf8_chinese(utf8));
        assert!(is_utf8_chinese("“引号”，全角：ＡＢ\n".as_bytes()));
        assert!(is_utf8_chinese("阿卜杜·热合曼,35℃,2×3\n".as_bytes()));
        assert!(!is_utf8_chinese(b"ascii only\n"));
        assert!(!is_utf8_chinese("Müller\n".as_bytes()));
    }

    #[test]
    fn line_breaks_inside_quotes_are_told_from_those_between_rows() {
        let cases: [(&[u8], bool); 6] = [
            (b"a,b\r\n1,\"x\"\r\n", false),
            (b"a,b\n1,\"two\nlines\"\n", true),
            (b"a,b\n1,\"say \"\"hi\"\"\"\n2,x\n", false),
            (b"a,b\n1,\"cr\rinside\"\n", true),
            (b"a,b\n1,\"\"\"\"\n", false),
            (b"a,b\n1,\"open\n2,x\n", false),
        ];
        for (i, (bytes, want)) in cases.iter().enumerate() {
            let path = write(&format!("breaks{i}.csv"), bytes);
            assert_eq!(has_quoted_line_breaks(&path).unwrap(), *want, "case {i}");
        }
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
