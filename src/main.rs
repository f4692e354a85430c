//! The `versus` command: parse arguments, run a stage, print diagnostics, choose the exit code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use versus::config::Overrides;
use versus::diag::Diagnostic;
use versus::pipeline::{self, BuildOptions, Failure};

#[derive(Parser)]
#[command(
    name = "versus",
    version,
    about = "A static site generator for comparison blogs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    Build {
        /// The site folder (holds site.yaml, content/, layouts/, data/, static/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; defaults to <root>/public.
        #[arg(long)]
        output: Option<PathBuf>,
        /// The URL the site is published at, overriding base_url of site.yaml.
        #[arg(long)]
        base_url: Option<String>,
        /// Include posts and pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Include posts dated after the day of the build (SOURCE_DATE_EPOCH pins that day).
        #[arg(long)]
        future: bool,
        /// Replace an output folder that versus did not create.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            future,
            force,
        } => build(BuildOptions {
            root,
            output,
            overrides: Overrides {
                base_url,
                today: Some(today()),
            },
            drafts,
            future,
            force,
        }),
    }
}

/// The day of the build; `SOURCE_DATE_EPOCH` (seconds) pins it for reproducible builds.
fn today() -> jiff::civil::Date {
    let pinned = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok());
    let now = pinned.unwrap_or_else(jiff::Timestamp::now);
    now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

fn build(options: BuildOptions) -> ExitCode {
    let started = Instant::now();
    match pipeline::build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, &options);
            println!(
                "built {} pages, copied {} files into {} in {} ms",
                report.pages,
                report.copied,
                report.output.display(),
                started.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(Failure::Content(diagnostics)) => {
            print_diagnostics(&diagnostics, &options);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("build failed: {errors} error(s); the previous output was left untouched");
            ExitCode::from(1)
        }
        Err(Failure::Usage(diagnostics)) => {
            print_diagnostics(&diagnostics, &options);
            ExitCode::from(2)
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], options: &BuildOptions) {
    for diagnostic in diagnostics {
        let shown = diagnostic.clone().relative_to(&options.root);
        let gap = if shown.is_error() { "\n" } else { "" };
        eprintln!("{}{gap}", shown.render());
    }
}
