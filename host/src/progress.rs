//! The CLI's progress bar for transfers: bytes, rate and ETA on stderr, shown
//! only when stderr is a terminal (tests and pipes stay quiet).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use s3_host::streams::Counter;
use std::io::IsTerminal as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A running progress display; [`Progress::finish`] clears it.
pub struct Progress {
    bar: Option<(ProgressBar, tokio::task::JoinHandle<()>)>,
}

/// Follow `counter` (bytes moved so far) towards `total`, if stderr is a terminal.
pub fn show(counter: Counter, total: Option<u64>) -> Progress {
    if !std::io::stderr().is_terminal() {
        return Progress { bar: None };
    }
    let bar = match total {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {bytes} {binary_bytes_per_sec} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    let ticker = bar.clone();
    let task = tokio::spawn(async move {
        loop {
            ticker.set_position(counter.load(Ordering::Relaxed));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Progress { bar: Some((bar, task)) }
}

impl Progress {
    /// Stop updating and clear the bar.
    pub fn finish(self) {
        if let Some((bar, task)) = self.bar {
            task.abort();
            bar.finish_and_clear();
        }
    }
}
