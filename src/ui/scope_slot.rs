//! A page's data about the top bar's scope.

use super::jobs::{Msg, Scope};
use super::page::Cx;
use crate::progress::Progress;
use crate::worker::WorkerState;

/// The data of a page about the top bar's scope, the scope it is for, and the request in
/// flight: a page asks again only when the scope moved, and a late answer for an old scope
/// does not clear the request for the new one.
pub struct ScopeSlot<T> {
    pub data: Option<(Scope, Result<T, String>)>,
    job: Option<(Scope, u64)>,
}

impl<T> Default for ScopeSlot<T> {
    fn default() -> Self {
        ScopeSlot {
            data: None,
            job: None,
        }
    }
}

impl<T> ScopeSlot<T> {
    /// Neither shown nor asked for `scope`.
    pub fn wants(&self, scope: &Scope) -> bool {
        !self.data.as_ref().is_some_and(|(s, _)| s == scope)
            && !self.job.as_ref().is_some_and(|(s, _)| s == scope)
    }

    /// Records the job asked for `scope`; returns the job it replaces, to cancel.
    pub fn asked(&mut self, scope: Scope, id: u64) -> Option<u64> {
        self.job.replace((scope, id)).map(|(_, old)| old)
    }

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

    /// Forgets the data (the project changed): asked for again when next shown.
    pub fn clear(&mut self) {
        self.data = None;
    }

    /// The data of the scope shown, when it is there and not an error.
    pub fn ok(&self) -> Option<&T> {
        self.data.as_ref().and_then(|(_, d)| d.as_ref().ok())
    }

    pub fn receive(&mut self, scope: Scope, data: Result<T, String>) {
        if self.job.as_ref().is_some_and(|(s, _)| *s == scope) {
            self.job = None;
        }
        self.data = Some((scope, data));
    }
}
