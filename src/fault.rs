//! Named points where a test can stop git-zen, to `kill -9` it there.
//!
//! Crash promises (old or new, never half; nothing left for `git add`; the next command heals)
//! can only be tested by killing a real process at the moment that matters. With
//! `GIT_ZEN_PAUSE_AT=<point>` in the environment, a process reaching that point writes
//! `paused at <point>` on stderr and sleeps (for a minute at most), so the test kills it exactly
//! there. Without the variable a point costs one environment lookup.

/// Pauses here if `GIT_ZEN_PAUSE_AT` names `name`.
pub fn point(name: &str) {
    let Some(wanted) = std::env::var_os("GIT_ZEN_PAUSE_AT") else {
        return;
    };
    if wanted == name {
        eprintln!("paused at {name}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}
