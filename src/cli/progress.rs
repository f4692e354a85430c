//! The binary's [`Progress`]: `--verbose` lines, and on a terminal a progress line for builds
//! that take more than a second, cleared when the build ends.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use versus::progress::{Counts, Progress, Stage};

use super::output::Output;

/// A build shorter than this shows no progress line at all.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Reports a build's stages as `output` wants them.
#[derive(Debug)]
pub struct Reporter {
    output: Output,
    /// When the current stage began.
    began: Mutex<Instant>,
    bar: Option<Line>,
}

/// The progress line: drawn nowhere until [`SHOW_AFTER`] has passed.
#[derive(Debug)]
struct Line {
    bar: ProgressBar,
    /// Whether the build is over; the timer shows nothing after that.
    done: Arc<Mutex<bool>>,
}

impl Reporter {
    /// A reporter for a build (`with_line`: one that may show a progress line, i.e. `build`
    /// and `check`), or None when nothing would be shown: quiet and not verbose.
    pub fn new(output: Output, with_line: bool) -> Option<Arc<Reporter>> {
        let line = with_line && !output.quiet() && std::io::stderr().is_terminal();
        if output.quiet() {
            return None;
        }
        Some(Arc::new(Reporter {
            output,
            began: Mutex::new(Instant::now()),
            bar: line.then(Line::start),
        }))
    }

    /// The build is over: the progress line goes away before anything else is printed.
    pub fn finish(&self) {
        if let Some(line) = &self.bar {
            *line.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
            line.bar.finish_and_clear();
        }
    }

    fn print(&self, text: &str) {
        match &self.bar {
            Some(line) => line.bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }
}

impl Line {
    fn start() -> Line {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        // Before the first stage: taking the output's lock, which may wait for another build.
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix:>9} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_prefix("start");
        let done = Arc::new(Mutex::new(false));
        let (shown, over) = (bar.clone(), Arc::clone(&done));
        // Shows the line once the build has taken a second, unless it is over by then.
        std::thread::spawn(move || {
            std::thread::sleep(SHOW_AFTER);
            let over = over.lock().unwrap_or_else(|e| e.into_inner());
            if !*over {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Line { bar, done }
    }
}

impl Progress for Reporter {
    fn begin(&self, stage: Stage, items: usize) {
        *self.began.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        if let Some(line) = &self.bar {
            let template = if items > 0 {
                "{spinner} {prefix:>9} [{bar:30}] {pos}/{len} {elapsed}"
            } else {
                "{spinner} {prefix:>9} {elapsed}"
            };
            line.bar.set_length(items as u64);
            line.bar.set_position(0);
            line.bar.set_prefix(stage.name());
            if let Ok(style) = ProgressStyle::with_template(template) {
                line.bar.set_style(style.progress_chars("=> "));
            }
        }
    }

    fn advance(&self, items: usize) {
        if let Some(line) = &self.bar {
            line.bar.inc(items as u64);
        }
    }

    /// `waiting for another build of public to finish` (a quiet run has no reporter).
    fn waiting(&self, why: &str) {
        self.print(why);
    }

    /// `   render   12 ms  pages 3, code blocks highlighted 2, code blocks from the cache 0`
    fn end(&self, stage: Stage, counts: Counts) {
        if !self.output.verbose() {
            return;
        }
        let began = *self.began.lock().unwrap_or_else(|e| e.into_inner());
        let counts: Vec<String> = counts.iter().map(|(n, c)| format!("{n} {c}")).collect();
        let name = format!("{:>9}", stage.name());
        let green = Style::new()
            .bold()
            .fg_color(Some(AnsiColor::BrightGreen.into()));
        self.print(&format!(
            "{} {:>4} ms  {}",
            self.output.stderr.styled(green, &name),
            began.elapsed().as_millis(),
            counts.join(", ")
        ));
    }
}
