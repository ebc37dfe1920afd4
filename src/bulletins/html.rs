//! A bulletin as one self-contained HTML file (no script, no file beside it, no network):
//! it reads on a phone and prints on A4.

use super::document::Document;

/// Text made safe for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;max-width:52rem;margin:0 auto;padding:1rem;color:#1d1d1f;line-height:1.55}\
header{border-bottom:3px solid #1565c0;margin-bottom:1rem}\
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;color:#1565c0;margin-top:1.6rem}\
.meta{color:#555;font-size:.9rem}\
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}\
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}td.n{text-align:right;white-space:nowrap}\
th{background:#f0f4fa}\
.chart svg{width:100%;height:auto;max-width:40rem;display:block;margin:.6rem auto}\
.commentary{border-left:3px solid #1565c0;background:#f4f7fb;padding:.5rem .8rem}\
td:first-child,td:nth-child(2){min-width:5.5em}\
@media print{body{max-width:none}}";

/// The document in one language, its charts as inline SVG.
pub fn render(doc: &Document, zh: bool) -> anyhow::Result<String> {
    let pick = |t: &crate::text::Text| escape(t.pick(zh));
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} · {} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        if zh { "zh-CN" } else { "en" },
        pick(&doc.title),
        pick(&doc.unit),
        pick(&doc.period)
    ));
    out.push_str(&format!(
        "<header>\n<div class=\"meta\">{} · {}</div>\n<h1>{}</h1>\n<div class=\"meta\">{} · {}{}</div>\n</header>\n",
        pick(&doc.company),
        escape(&doc.number),
        pick(&doc.title),
        pick(&doc.unit),
        pick(&doc.period),
        doc.as_of
            .as_ref()
            .map(|d| format!(" · {} {}", if zh { "数据截至" } else { "data as of" }, escape(d)))
            .unwrap_or_default()
    ));
    for (i, s) in doc.sections.iter().enumerate() {
        out.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}. {}</h2>\n",
            escape(&s.id),
            i + 1,
            pick(&s.title)
        ));
        for p in &s.paragraphs {
            out.push_str(&format!("<p>{}</p>\n", pick(p)));
        }
        if let Some(chart) = &s.chart {
            // The SVG is plotters' own output: its text is escaped by plotters.
            let svg = super::chart::svg(chart, zh)?;
            let svg = svg.find("<svg").map(|i| &svg[i..]).unwrap_or(&svg);
            out.push_str(&format!("<div class=\"chart\">{svg}</div>\n"));
        }
        if let Some(t) = &s.table {
            out.push_str("<div class=\"table\"><table>\n<tr>");
            for h in &t.header {
                out.push_str(&format!("<th>{}</th>", pick(h)));
            }
            out.push_str("</tr>\n");
            let right = t.numeric_columns(zh);
            for row in &t.rows {
                out.push_str("<tr>");
                for (k, cell) in row.iter().enumerate() {
                    let cell = cell.pick(zh);
                    let numeric = right.get(k).copied().unwrap_or(false);
                    out.push_str(&format!(
                        "<td{}>{}</td>",
                        if numeric { " class=\"n\"" } else { "" },
                        escape(cell)
                    ));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table></div>\n");
        }
        if let Some(c) = &s.commentary {
            out.push_str(&format!(
                "<p class=\"commentary\"><strong>{}</strong> {}</p>\n",
                if zh { "分析意见：" } else { "Commentary." },
                escape(c)
            ));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}
