//! A bulletin as a Word document (docx-rs) that Word and WPS edit as their own: real
//! "Heading 1" paragraphs (the navigation pane lists them), real tables with a shaded
//! header and numbers aligned right, the charts as PNG pictures, a header with the
//! company, the unit and the period, and page numbers in the footer.

use docx_rs::{
    AlignmentType, Docx, Footer, Header, LineSpacing, NumPages, PageNum, Paragraph, Pic, Run, RunFonts,
    Shading, Style, StyleType, Table as DocxTable, TableCell, TableRow, WidthType,
};

use super::document::{Document, Table};
use crate::text::Text;

/// The blue of the bulletins, as in the PDF and the HTML.
const BLUE: &str = "1565C0";

/// Fonts Word and WPS have on Chinese Windows; LibreOffice substitutes its own.
fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Arial")
        .hi_ansi("Arial")
        .east_asia("Microsoft YaHei")
}

/// Half-points, as Word counts font sizes.
const BODY: usize = 21;

fn styles(docx: Docx) -> Docx {
    // Spacing in twentieths of a point: 6 pt after a paragraph (the line height stays
    // automatic: an exact one would crop the pictures).
    docx.default_fonts(fonts())
        .default_size(BODY)
        .default_line_spacing(LineSpacing::new().after(120))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(40)
                .bold()
                .align(AlignmentType::Center),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .based_on("Normal")
                .next("Normal")
                .size(28)
                .bold()
                .color(BLUE)
                .line_spacing(LineSpacing::new().before(360).after(120))
                .outline_lvl(0),
        )
}

fn para(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(s))
}

fn table(t: &Table, zh: bool) -> DocxTable {
    let cols = t.header.len().max(1);
    let mut right = t.numeric_columns(zh);
    right.resize(cols, false);
    let cell = |s: &str, k: usize, head: bool| {
        let mut run = Run::new().add_text(s).size(BODY - 2);
        if head {
            run = run.bold();
        }
        let p = Paragraph::new()
            .add_run(run)
            .line_spacing(LineSpacing::new().after(0))
            .align(if right[k] {
                AlignmentType::Right
            } else {
                AlignmentType::Left
            });
        let c = TableCell::new().add_paragraph(p);
        if head {
            c.shading(Shading::new().fill("EEF3FA"))
        } else {
            c
        }
    };
    let mut rows = vec![TableRow::new(
        t.header
            .iter()
            .enumerate()
            .map(|(k, h)| cell(h.pick(zh), k, true))
            .collect(),
    )];
    for r in &t.rows {
        rows.push(TableRow::new(
            (0..cols)
                .map(|k| cell(r.get(k).map(|c| c.pick(zh)).unwrap_or(""), k, false))
                .collect(),
        ));
    }
    // 5000 fiftieths of a percent: the full text width, shared by the columns in
    // proportion to their longest text (a CJK character counting as two).
    let len = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let weights: Vec<usize> = (0..cols)
        .map(|k| {
            let longest = t
                .rows
                .iter()
                .filter_map(|r| r.get(k))
                .map(|c| len(c.pick(zh)))
                .chain(
                    t.header
                        .get(k)
                        .map(|h| h.pick(zh).split_whitespace().map(len).max().unwrap_or(0)),
                )
                .max()
                .unwrap_or(4);
            longest.clamp(4, 36)
        })
        .collect();
    let total: usize = weights.iter().sum::<usize>().max(1);
    // A4 less 2.54 cm margins: about 9,026 twips of text width.
    let grid = weights.iter().map(|w| w * 9026 / total).collect();
    DocxTable::new(rows).set_grid(grid).width(5000, WidthType::Pct)
}

/// The document in one language as DOCX bytes.
pub fn render(doc: &Document, zh: bool) -> anyhow::Result<Vec<u8>> {
    let pick = |t: &Text| t.pick(zh).to_string();
    let head = super::document::running_head(doc, zh);
    let mut d = styles(Docx::new())
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(head).size(16).color("6E6E6E"))
                    .align(AlignmentType::Right),
            ),
        )
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" / "))
                    .add_num_pages(NumPages::new())
                    .align(AlignmentType::Center),
            ),
        );
    d = d
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(pick(&doc.company)).size(18).color("5A5A5A"))
                .align(AlignmentType::Center),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(pick(&doc.title)))
                .style("Title"),
        )
        .add_paragraph(para(&doc.number).align(AlignmentType::Center))
        .add_paragraph(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(format!(
                            "{} · {}{}",
                            pick(&doc.unit),
                            pick(&doc.period),
                            doc.as_of
                                .as_ref()
                                .map(|a| format!(" · {} {a}", if zh { "数据截至" } else { "data as of" }))
                                .unwrap_or_default()
                        ))
                        .color("464646"),
                )
                .align(AlignmentType::Center),
        );
    for (i, s) in doc.sections.iter().enumerate() {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("{}. {}", i + 1, pick(&s.title))))
                .style("Heading1"),
        );
        for p in &s.paragraphs {
            d = d.add_paragraph(para(p.pick(zh)));
        }
        if let Some(chart) = &s.chart {
            let png = super::chart::png(chart, zh, 2.0)?;
            let (w, h) = (super::chart::WIDTH * 2, super::chart::HEIGHT * 2);
            // 16 cm wide (EMU: 360,000 per cm), the height in proportion.
            let width_emu = 16 * 360_000;
            let height_emu = (width_emu as u64 * h as u64 / w as u64) as u32;
            let pic = Pic::new_with_dimensions(png, w, h).size(width_emu, height_emu);
            d = d.add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_image(pic))
                    .align(AlignmentType::Center),
            );
        }
        if let Some(t) = &s.table {
            d = d.add_table(table(t, zh)).add_paragraph(Paragraph::new());
        }
        if let Some(c) = &s.commentary {
            d = d.add_paragraph(
                Paragraph::new()
                    .add_run(
                        Run::new()
                            .add_text(if zh { "分析意见：" } else { "Commentary. " })
                            .bold(),
                    )
                    .add_run(Run::new().add_text(c.as_str())),
            );
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| crate::said!("the DOCX could not be written: {e}", "无法生成 DOCX：{e}"))?;
    Ok(out.into_inner())
}
