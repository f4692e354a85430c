//! How much code versus highlights in one block, so that one block can never stall a build.
//!
//! syntect runs a grammar's regexes (Oniguruma) from every position of a line, so the cost of
//! a line grows with the square of its length in some grammars: one 8 KB line of `~` in a
//! Markdown block takes 12 s of CPU, while normal code costs 30 to 100 µs a line (see
//! bench/README.md). A block over [`MAX_LINE_BYTES`] or [`MAX_BLOCK_BYTES`] is written as
//! plain code before any highlighting; both checks are on the text alone, so output does not
//! depend on the machine. [`MAX_SECONDS`] is the safety net for a grammar slow on shorter
//! lines too: it is checked between lines, the only place syntect can be stopped.

use std::time::{Duration, Instant};

/// The longest line highlighted, in bytes (without its newline). At this length the slowest
/// grammar measured (Markdown, a line of `~`) takes ~0.7 s of CPU for a line, the shell's
/// ~0.02 s; at 8 KB they take 12 s and 0.3 s.
pub const MAX_LINE_BYTES: usize = 2048;

/// The largest block highlighted, in bytes: ~0.4 s of CPU for normal code (1.0 to 2.2 ms a
/// KB), far more than a post shows.
pub const MAX_BLOCK_BYTES: usize = 256 * 1024;

/// How long one block may take to highlight before the rest is given up, checked after each
/// line. Normal code under [`MAX_BLOCK_BYTES`] takes a tenth of it, so only a grammar slow
/// on lines under [`MAX_LINE_BYTES`] reaches it; then the output depends on the machine.
pub const MAX_SECONDS: u64 = 5;

/// Why a block was written plain rather than highlighted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    #[error(
        "code block not highlighted: its line {line} is {bytes} bytes long, over the \
         {MAX_LINE_BYTES}-byte limit for a highlighted line; written as plain code"
    )]
    LongLine {
        /// 1-based, counted from the block's first line of code.
        line: usize,
        bytes: usize,
    },
    #[error(
        "code block not highlighted: it is {bytes} bytes long, over the {MAX_BLOCK_BYTES}-byte \
         limit for a highlighted block; written as plain code"
    )]
    LargeBlock { bytes: usize },
    #[error(
        "code block not highlighted: it took over {MAX_SECONDS} s (given up after its line \
         {line}); written as plain code"
    )]
    TooSlow {
        /// The last line highlighted, 1-based.
        line: usize,
    },
}

/// The size checks, before any highlighting: the same answer on every machine.
pub fn check_size(code: &str) -> Result<(), OverBudget> {
    if code.len() > MAX_BLOCK_BYTES {
        return Err(OverBudget::LargeBlock { bytes: code.len() });
    }
    match code
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).len())
        .enumerate()
        .find(|&(_, bytes)| bytes > MAX_LINE_BYTES)
    {
        Some((index, bytes)) => Err(OverBudget::LongLine {
            line: index + 1,
            bytes,
        }),
        None => Ok(()),
    }
}

/// The time check between lines of one block.
pub(super) struct Deadline {
    end: Instant,
    line: usize,
}

impl Deadline {
    pub(super) fn start() -> Deadline {
        Deadline::after(Duration::from_secs(MAX_SECONDS))
    }

    fn after(budget: Duration) -> Deadline {
        Deadline {
            end: Instant::now() + budget,
            line: 0,
        }
    }

    /// Called after each line highlighted.
    pub(super) fn line_done(&mut self) -> Result<(), OverBudget> {
        self.line += 1;
        if Instant::now() > self.end {
            Err(OverBudget::TooSlow { line: self.line })
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_at_the_limit_pass_and_longer_ones_are_named() {
        let at_limit = "a".repeat(MAX_LINE_BYTES);
        assert_eq!(check_size(&format!("x\n{at_limit}\r\ny\n")), Ok(()));
        let over = "é".repeat(MAX_LINE_BYTES / 2 + 1);
        assert_eq!(
            check_size(&format!("x\n{at_limit}\n{over}\nz")),
            Err(OverBudget::LongLine {
                line: 3,
                bytes: MAX_LINE_BYTES + 2
            })
        );
    }

    #[test]
    fn blocks_over_the_limit_are_refused_whatever_their_lines() {
        let line = format!("{}\n", "a".repeat(99));
        let block = line.repeat(MAX_BLOCK_BYTES / line.len());
        assert_eq!(check_size(&block), Ok(()));
        let bigger = format!("{block}{line}");
        assert_eq!(
            check_size(&bigger),
            Err(OverBudget::LargeBlock {
                bytes: bigger.len()
            })
        );
    }

    #[test]
    fn a_spent_deadline_stops_both_class_styles_after_the_line_it_was_spent_on() {
        let syntax = super::super::find_syntax("sh").expect("sh is known");
        let code = "echo a\necho b\n";
        let spent = || Deadline::after(Duration::ZERO);
        let versus = |syntax, code, deadline: &mut Deadline| {
            let palette = super::super::Palette::default_themes();
            super::super::highlight_versus(syntax, code, palette, deadline)
        };
        let highlighters: [&dyn Fn(_, _, &mut Deadline) -> _; 2] =
            [&versus, &super::super::highlight_rouge];
        for highlight in highlighters {
            assert_eq!(
                highlight(syntax, code, &mut spent()),
                Err(OverBudget::TooSlow { line: 1 }.into())
            );
            let mut ample = Deadline::after(Duration::from_secs(3600));
            assert!(highlight(syntax, code, &mut ample).is_ok());
        }
    }

    #[test]
    fn messages_name_the_line_and_the_limit() {
        let message = OverBudget::LongLine {
            line: 1,
            bytes: 8192,
        }
        .to_string();
        assert!(message.contains("line 1 is 8192 bytes"), "{message}");
        assert!(
            message.contains(&format!("{MAX_LINE_BYTES}-byte")),
            "{message}"
        );
    }
}
