//! Phone access (issue 21): the workstation serves a mobile client on the local network, for
//! leaders' figures on the phone and inspectors' on-site records. The core knows nothing of
//! HTTP (the pairing codes, the devices' tokens, the checks of an on-site record); the server
//! and its API sit on top of it, reading through read-only connections and writing through
//! the project's owner.

pub mod api;
pub mod certificate;
mod client;
pub mod onsite;
pub mod pairing;
pub mod qr;
pub mod server;
pub mod token;
pub mod writer;
