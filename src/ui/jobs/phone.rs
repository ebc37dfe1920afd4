//! Phone access's jobs: starting the server (its read-only connections are made here, on the
//! worker that owns the project), and the devices paired with their recent requests.

use crate::handheld::server::{Options, Server};
use crate::handheld::writer::Writer;
use crate::progress::Progress;
use crate::store::devices::{self, Device, Request};
use crate::worker::WorkerState;

use super::{Msg, finish, open_project_in};

/// What the phone window lists.
#[derive(Debug, Clone, Default)]
pub struct Devices {
    pub devices: Vec<Device>,
    pub requests: Vec<Request>,
}

pub fn start(writer: Writer, options: Options) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let readers = crate::handheld::server::readers(p)?;
            Ok(Box::new(Server::start(readers, writer, &options)?))
        })();
        finish(r, Msg::PhoneStarted)
    }
}

/// The devices and the latest requests; revokes `revoke` first.
pub fn devices(revoke: Option<i64>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            if let Some(id) = revoke {
                devices::revoke(p, id)?;
            }
            Ok(Devices {
                devices: devices::list(p)?,
                requests: devices::requests(p, 30)?,
            })
        })();
        finish(r, Msg::PhoneDevices)
    }
}
