//! A bulletin as a typeset PDF, through Typst as a library: A4, the bundled Noto Sans CJK SC
//! embedded (subset), a header with the company, the unit and the period from the second
//! page on, page numbers, a contents list for the monthly and longer kinds, tables whose
//! header repeats on every page, and the charts as vectors (SVG).
//!
//! The document is written as Typst markup in which every text of the data is a string
//! literal (`#"..."`), so nothing a user typed is ever read as markup or code.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::document::{Document, Table};
use crate::text::Text;

/// The blue of the bulletins (headings, rules), as in the HTML.
const BLUE: &str = "#1565c0";

/// The bundled fonts, parsed once.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = [crate::fonts::REGULAR, crate::fonts::BOLD]
        .into_iter()
        .flat_map(|b| Font::iter(Bytes::new(b)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The one source and the pictures a bulletin is compiled from: nothing is read from disk.
struct BulletinWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("the paths named here are valid"),
    )
    .intern()
}

impl World for BulletinWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

/// A Typst string literal holding `s` exactly.
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as markup: a string literal in code mode.
fn lit(s: &str) -> String {
    format!("#{}", literal(s))
}

/// A table as Typst markup: the header repeated on every page, numbers aligned right, every
/// cell a string literal.
pub fn table(t: &Table, zh: bool) -> String {
    let cols = t.header.len().max(1);
    let align: Vec<&str> = t
        .numeric_columns(zh)
        .into_iter()
        .map(|n| if n { "right" } else { "left" })
        .collect();
    let mut out = format!(
        "#table(\n  columns: ({}),\n  align: ({},),\n  stroke: (x, y) => if y == 0 {{ (bottom: 0.8pt + rgb(\"{BLUE}\")) }} else {{ (bottom: 0.4pt + luma(210)) }},\n  fill: (x, y) => if y == 0 {{ rgb(\"#eef3fa\") }},\n  inset: (x: 5pt, y: 4pt),\n  table.header(",
        vec!["auto"; cols].join(", ") + ",",
        align.join(", ")
    );
    for h in &t.header {
        out.push_str(&format!("[#strong({})], ", literal(h.pick(zh))));
    }
    out.push_str("),\n");
    for row in &t.rows {
        out.push_str("  ");
        for k in 0..cols {
            let cell = row.get(k).map(|c| c.pick(zh)).unwrap_or("");
            out.push_str(&format!("[{}], ", lit(cell)));
        }
        out.push('\n');
    }
    out.push_str(")\n");
    out
}

/// Words of the frame, in the document's language.
fn word(zh: bool, en: &'static str, zh_text: &'static str) -> &'static str {
    if zh { zh_text } else { en }
}

/// Pictures a Typst source names: (path in the virtual project, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// The Typst source of the document and the charts it names.
pub fn markup(doc: &Document, zh: bool) -> anyhow::Result<(String, Files)> {
    let pick = |t: &Text| t.pick(zh).to_string();
    let mut files = Vec::new();
    let mut m = String::new();
    let header_line = super::document::running_head(doc, zh);
    m.push_str(&format!(
        "#set document(title: {title}, author: \"MAMS\")\n\
         #set text(font: {font}, size: 10.5pt, lang: {lang}, region: {region}, fallback: true, hyphenate: false)\n\
         #set page(paper: \"a4\", margin: (x: 2.2cm, top: 2.5cm, bottom: 2.2cm),\n\
           header: context {{ if counter(page).get().first() > 1 [\n\
             #set text(size: 8pt, fill: luma(110))\n\
             {header} #h(1fr)\n\
             #v(-6pt) #line(length: 100%, stroke: 0.4pt + luma(190))\n\
           ] }},\n\
           footer: context [#set align(center); #set text(size: 8pt, fill: luma(110)); #counter(page).display(\"1 / 1\", both: true)])\n\
         #set par(justify: true, leading: 0.8em, spacing: 1.1em)\n\
         #set heading(numbering: \"1.\")\n\
         #show heading.where(level: 1): it => {{ v(0.6em); text(size: 13.5pt, weight: \"bold\", fill: rgb(\"{BLUE}\"), it); v(0.2em) }}\n\
         #show outline.entry.where(level: 1): set text(weight: \"regular\")\n\
         #show table: set par(justify: false)\n",
        title = literal(&format!("{} {} {}", pick(&doc.title), pick(&doc.unit), doc.number)),
        font = literal(crate::fonts::FAMILY),
        lang = if zh { "\"zh\"" } else { "\"en\"" },
        region = if zh { "\"cn\"" } else { "\"gb\"" },
        header = lit(&header_line),
    ));
    // The title block.
    m.push_str(&format!(
        "#align(center)[\n\
           #text(size: 9pt, fill: luma(90))[{company}]\\\n\
           #v(2pt)\n\
           #text(size: 20pt, weight: \"bold\")[{title}]\\\n\
           #v(2pt)\n\
           #text(size: 10pt)[{number}]\\\n\
           #text(size: 10pt, fill: luma(70))[{unit} · {period}{as_of}]\n\
         ]\n\
         #line(length: 100%, stroke: 2pt + rgb(\"{BLUE}\"))\n",
        company = lit(&pick(&doc.company)),
        title = lit(&pick(&doc.title)),
        number = lit(&doc.number),
        unit = lit(&pick(&doc.unit)),
        period = lit(&pick(&doc.period)),
        as_of = doc
            .as_of
            .as_ref()
            .map(|d| format!(
                " · {}",
                lit(&format!("{} {d}", word(zh, "data as of", "数据截至")))
            ))
            .unwrap_or_default(),
    ));
    if matches!(doc.kind.as_str(), "monthly" | "quarterly" | "annual") {
        m.push_str(&format!(
            "#outline(title: [{}], depth: 1, indent: 0pt)\n#v(0.5em)\n",
            lit(word(zh, "Contents", "目录"))
        ));
    }
    for (i, s) in doc.sections.iter().enumerate() {
        m.push_str(&format!("\n= {}\n\n", lit(&pick(&s.title))));
        for p in &s.paragraphs {
            m.push_str(&format!("{}\n\n", lit(&pick(p))));
        }
        if let Some(chart) = &s.chart {
            let name = format!("/chart-{i}.svg");
            files.push((name.clone(), super::chart::svg(chart, zh)?.into_bytes()));
            m.push_str(&format!(
                "#align(center, image({}, width: 92%))\n\n",
                literal(&name)
            ));
        }
        if let Some(t) = &s.table {
            m.push_str(&table(t, zh));
            m.push('\n');
        }
        if let Some(c) = &s.commentary {
            m.push_str(&format!(
                "#block(width: 100%, fill: rgb(\"#f4f7fb\"), stroke: (left: 2pt + rgb(\"{BLUE}\")), inset: 8pt)[#strong({}) {}]\n\n",
                literal(word(zh, "Commentary.", "分析意见：")),
                lit(c)
            ));
        }
    }
    Ok((m, files))
}

/// Typesets the document in one language.
pub fn render(doc: &Document, zh: bool) -> anyhow::Result<Vec<u8>> {
    let (source, files) = markup(doc, zh)?;
    compile(source, files)
}

/// Compiles Typst markup (with the pictures it names) to PDF.
pub fn compile(source: String, files: Files) -> anyhow::Result<Vec<u8>> {
    let today = chrono::Local::now().date_naive();
    use chrono::Datelike;
    let world = BulletinWorld {
        main: Source::new(file_id("/main.typ"), source),
        files: files
            .into_iter()
            .map(|(name, bytes)| (file_id(&name), Bytes::new(bytes)))
            .collect(),
        today: Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8),
    };
    let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
    let document = compiled.output.map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        crate::said!(
            "the PDF could not be typeset: {}",
            "无法排版 PDF：{}",
            messages.join("; ")
        )
    })?;
    let options = typst_pdf::PdfOptions {
        creator: typst::foundations::Smart::Custom(Some(format!("MAMS {}", env!("CARGO_PKG_VERSION")))),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        crate::said!(
            "the PDF could not be written: {}",
            "无法生成 PDF：{}",
            messages.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_stays_a_string_whatever_it_holds() {
        assert_eq!(literal(r#"a "b" \c #d [e] $f$"#), r#""a \"b\" \\c #d [e] $f$""#);
        assert_eq!(literal("x\ny"), "\"x\\ny\"");
    }
}
