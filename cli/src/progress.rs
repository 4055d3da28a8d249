//! The wall clock and the progress bar: the command line's own business, never the engine's.
//!
//! A bar appears on stderr only when stderr is a terminal and the run has already taken
//! [`SHOW_AFTER`]: short runs and piped output never see one, and stdout carries only the JSON.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A run shorter than this shows no bar.
pub const SHOW_AFTER: Duration = Duration::from_millis(500);

/// Now, by the wall clock. The workspace's clippy.toml bans the clock for the engine (virtual time
/// only); the command line measures real throughput and decides when a bar is worth showing.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Instant {
    Instant::now()
}

/// A progress bar that shows itself once a run turns out to be long.
pub struct Progress {
    enabled: bool,
    started: Instant,
    len: u64,
    prefix: String,
    unit: &'static str,
    done: AtomicU64,
    bar: OnceLock<ProgressBar>,
}

impl Progress {
    /// Counts to `len` `unit`s (`virtual ms`, `requests`, `seeds`).
    pub fn new(prefix: impl Into<String>, len: u64, unit: &'static str) -> Self {
        Self::with_terminal(prefix, len, unit, std::io::stderr().is_terminal())
    }

    fn with_terminal(prefix: impl Into<String>, len: u64, unit: &'static str, tty: bool) -> Self {
        Self {
            enabled: tty,
            started: now(),
            len,
            prefix: prefix.into(),
            unit,
            done: AtomicU64::new(0),
            bar: OnceLock::new(),
        }
    }

    fn bar(&self) -> Option<&ProgressBar> {
        if !self.enabled {
            return None;
        }
        if let Some(b) = self.bar.get() {
            return Some(b);
        }
        if self.started.elapsed() < SHOW_AFTER {
            return None;
        }
        Some(self.bar.get_or_init(|| {
            let template = format!(
                "{{prefix}} [{{elapsed_precise}}] [{{wide_bar}}] {{human_pos}}/{{human_len}} {} (eta {{eta}})",
                self.unit
            );
            let style = ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            let bar = ProgressBar::with_draw_target(Some(self.len), ProgressDrawTarget::stderr())
                .with_style(style)
                .with_prefix(self.prefix.clone())
                .with_elapsed(self.started.elapsed());
            bar.set_position(self.done.load(Ordering::Relaxed));
            bar
        }))
    }

    /// Reached `pos`.
    pub fn set(&self, pos: u64) {
        self.done.store(pos, Ordering::Relaxed);
        if let Some(b) = self.bar() {
            b.set_position(pos);
        }
    }

    /// One more done (from any thread).
    pub fn inc(&self) {
        let pos = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(b) = self.bar() {
            b.set_position(pos);
        }
    }

    /// Still working: shows the bar if the run has become long.
    pub fn poll(&self) {
        if let Some(b) = self.bar() {
            b.tick();
        }
    }

    /// Removes the bar, if one was shown.
    pub fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shown_off_a_terminal() {
        let p = Progress::with_terminal("x", 10, "seeds", false);
        p.set(5);
        p.inc();
        assert!(p.bar.get().is_none());
        assert_eq!(p.done.load(Ordering::Relaxed), 6);
    }

    #[test]
    fn not_shown_for_a_short_run() {
        let p = Progress::with_terminal("x", 10, "seeds", true);
        p.set(5);
        assert!(p.bar.get().is_none());
    }
}
