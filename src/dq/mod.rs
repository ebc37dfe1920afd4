//! Data quality (issue 18, under way): the checks of the marketing data as data, their
//! assessment, rectification and early warning. Built so far: the validators of coded
//! identity values the pattern checks use (`validators.rs`).

pub mod validators;
