//! A deck as a PDF of 16:9 pages the size of a 1920 x 1080 screen (20 x 11.25 in at 96 dpi),
//! one a slide, typeset by the same Typst pipeline as the bulletins: the title, the unit and
//! period, the slide's sentences, chart and table at a projector's size, the caption, the
//! data's as-of date and the slide number. Masked unless asked otherwise.

use super::deck::Deck;
use crate::bulletins::pdf::{compile, literal};

/// The deck in one language; `masked` hides the personal data of every slide.
pub fn render(deck: &Deck, zh: bool, masked: bool) -> anyhow::Result<Vec<u8>> {
    let lit = |s: &str| format!("#{}", literal(s));
    let mut m = format!(
        "#set document(title: {title}, author: \"MAMS\")\n\
         #set page(width: 20in, height: 11.25in, margin: (x: 0.9in, top: 0.7in, bottom: 0.8in),\n\
           footer: context [#set text(size: 14pt, fill: luma(120)); {name} #h(1fr) #counter(page).display(\"1 / 1\", both: true)])\n\
         #set text(font: {font}, size: 22pt, lang: {lang}, fallback: true, hyphenate: false)\n\
         #set par(leading: 0.7em, spacing: 0.9em)\n\
",
        title = literal(&deck.name),
        name = lit(&deck.name),
        font = literal(crate::fonts::FAMILY),
        lang = if zh { "\"zh\"" } else { "\"en\"" },
    );
    let mut files = Vec::new();
    for (i, slide) in deck.slides.iter().enumerate() {
        if i > 0 {
            m.push_str("#pagebreak()\n");
        }
        let content = if masked {
            slide.content.masked()
        } else {
            slide.content.clone()
        };
        let as_of = slide
            .as_of
            .as_ref()
            .map(|d| format!(" · {} {d}", if zh { "数据截至" } else { "data as of" }))
            .unwrap_or_default();
        // A slide is one page whatever it holds: what would not fit is cut, not carried over.
        m.push_str("#block(width: 100%, height: 100%, clip: true, breakable: false)[\n");
        m.push_str(&format!(
            "#text(size: 40pt, weight: \"bold\", fill: rgb(\"#1565c0\"))[{}]\\\n#text(size: 16pt, fill: luma(100))[{}]\n#v(0.3em)\n",
            lit(slide.title.pick(zh)),
            lit(&format!("{}{as_of}", slide.scope.pick(zh)))
        ));
        // The sentences and the table on the left, the chart on the right when there is one.
        // The sentences on the left and the chart on the right; the table under both, the
        // whole width, its letters smaller the more columns it has (as the app shows it).
        let mut left = String::new();
        for p in content.paragraphs.iter().take(4) {
            left.push_str(&format!("{}\n\n", lit(p.pick(zh))));
        }
        match &content.chart {
            Some(chart) => {
                let name = format!("/slide-{i}.svg");
                files.push((
                    name.clone(),
                    crate::bulletins::chart::svg(chart, zh)?.into_bytes(),
                ));
                m.push_str(&format!(
                    "#grid(columns: (1fr, 1fr), gutter: 0.5in, [{left}], image({}, width: 100%))\n",
                    literal(&name)
                ));
            }
            None => m.push_str(&format!("#block[{left}]\n")),
        }
        if let Some(t) = &content.table {
            let rows = t.rows.len().min(14);
            let shown = crate::bulletins::document::Table {
                header: t.header.clone(),
                rows: t.rows[..rows].to_vec(),
            };
            let size = if t.header.len() > 5 { 14 } else { 18 };
            m.push_str(&format!(
                "#v(0.4em)\n#[#set text(size: {size}pt)\n{}]\n",
                crate::bulletins::pdf::table(&shown, zh)
            ));
        }
        if !slide.caption.trim().is_empty() {
            m.push_str(&format!(
                "#place(bottom + left, block(width: 100%, inset: 10pt, fill: rgb(\"#f4f7fb\"), text(size: 20pt)[{}]))\n",
                lit(slide.caption.trim())
            ));
        }
        m.push_str("]\n");
    }
    compile(m, files)
}
