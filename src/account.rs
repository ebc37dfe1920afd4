//! Who is using MAMS: the operating-system account, the actor of every change MAMS records
//! (the audit trail, triage, measures, publications, the access log).

/// Who is making changes: the operating-system account running MAMS, read from the system
/// (on Unix the password database entry of the process's user id), not from an environment
/// variable anyone can set; elsewhere the account name Windows gives the process.
pub fn name() -> String {
    os_account().unwrap_or_else(|| "unknown".into())
}

#[cfg(unix)]
fn os_account() -> Option<String> {
    // getpwuid_r: the reentrant lookup of the real user id's account name.
    let uid = unsafe { libc::getuid() };
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: pwd, buf and result outlive the call; buf's length is passed with it.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return Some(format!("uid {uid}"));
    }
    // SAFETY: pw_name points into buf, a NUL-terminated string set by getpwuid_r.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }
        .to_string_lossy()
        .into_owned();
    Some(if name.is_empty() {
        format!("uid {uid}")
    } else {
        name
    })
}

#[cfg(not(unix))]
fn os_account() -> Option<String> {
    // Windows sets USERNAME for the process from the logon session.
    std::env::var("USERNAME").ok().filter(|s| !s.trim().is_empty())
}
