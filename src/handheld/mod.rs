//! Phone access (issue 21): the workstation serves a mobile client on the local network.
//! This is its headless core, which knows nothing of HTTP: the one-time pairing codes, with
//! their expiry and the slowing down of wrong guesses, and the devices' tokens.

pub mod pairing;
pub mod token;
