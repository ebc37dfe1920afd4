//! A page's data about the top bar's scope.

use super::jobs::{Msg, Scope};
use super::page::Cx;
use crate::progress::Progress;
use crate::worker::WorkerState;

/// The data of a page about the top bar's scope (or another key: a scope with a period and
/// a system), the key it is for, and the request in flight: a page asks again only when the
/// key moved, and a late answer for an old key does not clear the request for the new one.
pub struct ScopeSlot<T, K = Scope> {
    pub data: Option<(K, Result<T, String>)>,
    job: Option<(K, u64)>,
}

impl<T, K> Default for ScopeSlot<T, K> {
    fn default() -> Self {
        ScopeSlot {
            data: None,
            job: None,
        }
    }
}

impl<T, K: PartialEq> ScopeSlot<T, K> {
    /// Neither shown nor asked for `key`.
    pub fn wants(&self, key: &K) -> bool {
        !self.data.as_ref().is_some_and(|(s, _)| s == key)
            && !self.job.as_ref().is_some_and(|(s, _)| s == key)
    }

    /// Records the job asked for `key`; returns the job it replaces, to cancel.
    pub fn asked(&mut self, key: K, id: u64) -> Option<u64> {
        self.job.replace((key, id)).map(|(_, old)| old)
    }

    /// Asks `job` for `key` unless it is shown or asked for already; the ask for the key
    /// left behind is cancelled.
    pub fn ask<J>(&mut self, cx: &mut Cx, key: K, name_key: &str, job: J)
    where
        J: FnOnce(&mut WorkerState, &Progress) -> Msg + Send + 'static,
    {
        if !self.wants(&key) {
            return;
        }
        let id = cx.spawn(name_key, job);
        if let Some(old) = self.asked(key, id) {
            cx.cancel(old);
        }
    }

    /// Forgets the data (the project changed): asked for again when next shown.
    pub fn clear(&mut self) {
        self.data = None;
    }

    /// The data to show, cloned; an error is shown in its place (and gives None), nothing
    /// yet gives None.
    pub fn shown(&self, ui: &mut egui::Ui) -> Option<T>
    where
        T: Clone,
    {
        match &self.data {
            Some((_, Err(e))) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                None
            }
            Some((_, Ok(d))) => Some(d.clone()),
            None => None,
        }
    }

    /// The data of the key shown, when it is there and not an error.
    pub fn ok(&self) -> Option<&T> {
        self.data.as_ref().and_then(|(_, d)| d.as_ref().ok())
    }

    pub fn receive(&mut self, key: K, data: Result<T, String>) {
        if self.job.as_ref().is_some_and(|(s, _)| *s == key) {
            self.job = None;
        }
        self.data = Some((key, data));
    }
}

impl<T> ScopeSlot<T, Scope> {
    /// Asks for the data of the top bar's scope when the slot holds (or asked for) another
    /// one; the ask for the scope left behind is cancelled. `job` gets the scope and the
    /// units one level down.
    pub fn follow<J>(&mut self, cx: &mut Cx, name_key: &str, job: impl FnOnce(Scope, Vec<String>) -> J)
    where
        J: FnOnce(&mut WorkerState, &Progress) -> Msg + Send + 'static,
    {
        let Some(scope) = cx.scope() else { return };
        if !self.wants(&scope) {
            return;
        }
        let below = cx.units_below(&scope.unit_id);
        let id = cx.spawn(name_key, job(scope.clone(), below));
        if let Some(old) = self.asked(scope, id) {
            cx.cancel(old);
        }
    }
}
