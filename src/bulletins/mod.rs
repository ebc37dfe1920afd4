//! Marketing bulletins written from the data by rules (no language model): a template as
//! data (`assets/bulletins/`), a builder that fills a `Document` from the numbers the pages
//! show, and renderers. Built so far: the monthly analysis, the quarterly evaluation and
//! the annual examination, as HTML (docs/bulletins.md).

pub mod document;
pub mod evaluation;
pub mod html;
pub mod monthly;
pub mod template;
