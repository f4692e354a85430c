//! The `versus` command: parse arguments, run a stage, print diagnostics, choose the exit code.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{CommandFactory, FromArgMatches};

mod cli;

use cli::args::{Cli, Command, Format, ImportFrom, NewKind, ThemeCommand};
use cli::output::{Output, out};
use cli::progress::Reporter;

use versus::check::{CheckOptions, ExternalOptions, Finding};
use versus::config::Overrides;
use versus::pipeline::{self, BuildOptions, Failure};
use versus::progress::Progress;
use versus::serve::{Console, ServeOptions};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let matches = Cli::command()
        .color(clap_colour(&args))
        .get_matches_from(&args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let printer = Output::new(cli.quiet, cli.verbose, cli.color);
    match cli.command {
        Command::Completions { shell } => {
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "versus", &mut script);
            out(String::from_utf8_lossy(&script).trim_end());
            ExitCode::SUCCESS
        }
        Command::Man => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => {
                    out(String::from_utf8_lossy(&page).trim_end());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Init { dir } => match versus::scaffold::init(&dir, today()) {
            Ok(started) => {
                if printer.verbose() {
                    for file in &started.files {
                        eprintln!("wrote {}", file.display());
                    }
                }
                printer.say(&format!(
                    "started a site in {} ({} files). Next:",
                    dir.display(),
                    started.files.len()
                ));
                if dir != Path::new(".") {
                    printer.say(&format!("  cd {}", dir.display()));
                }
                if started.needs_a_title {
                    printer.say("  edit site.yaml          give the site its name (`title:`)");
                }
                printer.say("  versus serve --open     preview it, reloading on every change");
                printer.say("  versus check --strict   everything to fix before publishing");
                printer.say("  versus build            write the site into public/");
                ExitCode::SUCCESS
            }
            Err(e) => scaffold_failed(&e),
        },
        Command::New { what } => {
            let made = match what {
                NewKind::Post { title, root } => versus::scaffold::new_post(&root, &title, today()),
                NewKind::Matrix { name, root } => versus::scaffold::new_matrix(&root, &name),
            };
            match made {
                Ok(path) => {
                    printer.say(&format!("wrote {}", path.display()));
                    ExitCode::SUCCESS
                }
                Err(e) => scaffold_failed(&e),
            }
        }
        Command::Theme {
            what: ThemeCommand::List { root },
        } => {
            for entry in versus::scaffold::theme_list(&root) {
                let yours = if entry.overridden { "  (yours)" } else { "" };
                out(&format!("{}{yours}", entry.path));
            }
            ExitCode::SUCCESS
        }
        Command::Theme {
            what: ThemeCommand::Copy { files, root },
        } => match versus::scaffold::theme_copy(&root, &files) {
            Ok(written) => {
                for path in written {
                    printer.say(&format!("wrote {}", path.display()));
                }
                ExitCode::SUCCESS
            }
            Err(e) => scaffold_failed(&e),
        },
        Command::Import {
            from: ImportFrom::Jekyll { src, dest },
        } => import_jekyll(&src, &dest, printer),
        Command::Serve {
            root,
            port,
            bind,
            base_url,
            drafts,
            future,
            open,
        } => {
            let mut build = site_options(root, drafts, future);
            build.overrides.base_url = base_url;
            // The stages of each rebuild with -v; no progress line between the server's lines.
            build.progress = Reporter::new(printer, false).map(|r| r as Arc<dyn Progress>);
            serve(ServeOptions {
                build,
                bind,
                port,
                open,
                console: Console {
                    quiet: printer.quiet(),
                    paint: Arc::new(printer.stderr),
                },
            })
        }
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            future,
            force,
            no_cache,
            check,
        } => build(
            BuildOptions {
                highlight_cache: (!no_cache).then(|| cache_dir(&root)),
                card_cache: (!no_cache).then(|| card_cache_dir(&root)),
                image_cache: (!no_cache).then(|| image_cache_dir(&root)),
                root,
                output,
                overrides: Overrides {
                    base_url,
                    today: Some(today()),
                },
                drafts,
                future,
                force,
                progress: None,
            },
            check,
            printer,
        ),
        Command::Check {
            root,
            drafts,
            future,
            strict,
            format,
            external,
            timeout,
            threads,
            per_host,
            cache_for,
            update_sources,
        } => {
            let options = site_options(root, drafts, future);
            let external = external.then(|| ExternalOptions {
                timeout: Duration::from_secs(timeout),
                threads,
                per_host,
                cache_for: Duration::from_secs(cache_for),
                update_sources,
            });
            check(
                &options,
                &CheckOptions { strict, external },
                format,
                printer,
            )
        }
    }
}

/// How `serve` and `check` build a site: into memory, at its configured URL (serve overrides it).
fn site_options(root: PathBuf, drafts: bool, future: bool) -> BuildOptions {
    BuildOptions {
        highlight_cache: Some(cache_dir(&root)),
        card_cache: Some(card_cache_dir(&root)),
        image_cache: Some(image_cache_dir(&root)),
        root,
        output: None,
        overrides: Overrides {
            base_url: None,
            today: Some(today()),
        },
        drafts,
        future,
        force: false,
        progress: None,
    }
}

/// Highlighted code is kept between builds in the site's `.versus-cache/` (git-ignored).
fn cache_dir(root: &std::path::Path) -> PathBuf {
    root.join(".versus-cache").join("highlight")
}

/// Drawn social cards are kept there too, by what they show.
fn card_cache_dir(root: &std::path::Path) -> PathBuf {
    root.join(".versus-cache").join("cards")
}

/// And the resized variants of images, by content and settings.
fn image_cache_dir(root: &std::path::Path) -> PathBuf {
    root.join(".versus-cache").join("images")
}

/// `--color` for clap's own help and usage errors, read before clap parses anything (a usage
/// error stops the parse): the last one given wins, as clap takes it; `auto` leaves clap to
/// decide on the terminal and NO_COLOR as our own output does.
fn clap_colour(args: &[OsString]) -> clap::ColorChoice {
    let mut when = None;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(value) = word.strip_prefix("--color=") {
            when = Some(value.to_owned());
        } else if word == "--color" {
            when = words.next().map(|v| v.into_owned());
        }
    }
    match when.as_deref() {
        Some("always") => clap::ColorChoice::Always,
        Some("never") => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
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

fn serve(options: ServeOptions) -> ExitCode {
    match versus::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn build(options: BuildOptions, run_check: bool, output: Output) -> ExitCode {
    let started = Instant::now();
    let (built, options) = with_reporter(options, output, pipeline::build);
    match built {
        Ok(report) => {
            output.diagnostics(&report.warnings, &options.root);
            output.say(&format!(
                "built {} pages, copied {} files into {} in {} ms",
                report.pages,
                report.copied,
                report.output.display(),
                started.elapsed().as_millis()
            ));
            if run_check {
                check(&options, &CheckOptions::default(), Format::Text, output)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(Failure::Content(diagnostics)) => {
            output.diagnostics(&diagnostics, &options.root);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("build failed: {errors} error(s); the previous output was left untouched");
            ExitCode::from(1)
        }
        Err(Failure::Usage(diagnostics)) => {
            output.diagnostics(&diagnostics, &options.root);
            ExitCode::from(2)
        }
    }
}

/// Runs `stage` with a [`Reporter`] (if `output` wants one) and clears its progress line
/// before anything else is printed; returns the options without it.
fn with_reporter<T>(
    mut options: BuildOptions,
    output: Output,
    stage: impl FnOnce(&BuildOptions) -> T,
) -> (T, BuildOptions) {
    let reporter = Reporter::new(output, true);
    options.progress = reporter.clone().map(|r| r as Arc<dyn Progress>);
    let result = stage(&options);
    if let Some(reporter) = reporter {
        reporter.finish();
    }
    options.progress = None;
    (result, options)
}

/// `versus check`: 0 clean (warnings allowed), 1 findings at error level, 2 a failed build.
fn check(options: &BuildOptions, check: &CheckOptions, format: Format, output: Output) -> ExitCode {
    let (checked, _) = with_reporter(options.clone(), output, |options| {
        versus::check::check_site(options, check)
    });
    let findings = match checked {
        Ok(findings) => findings,
        Err(Failure::Content(diagnostics) | Failure::Usage(diagnostics)) => {
            if format == Format::Json {
                // CI still gets an array: the build's errors, of kind `build`.
                let json: Vec<_> = diagnostics
                    .iter()
                    .map(|d| {
                        let diagnostic = d.clone().relative_to(&options.root);
                        Finding {
                            kind: "build",
                            diagnostic,
                        }
                        .to_json()
                    })
                    .collect();
                out(&serde_json::to_string_pretty(&json).expect("findings serialize"));
            } else {
                output.diagnostics(&diagnostics, &options.root);
            }
            eprintln!("check failed: the site does not build");
            return ExitCode::from(2);
        }
    };
    let findings: Vec<Finding> = findings
        .into_iter()
        .map(|mut f| {
            f.diagnostic = f.diagnostic.relative_to(&options.root);
            f
        })
        .collect();
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let warnings = findings.len() - errors;
    match format {
        Format::Json => {
            let json: Vec<_> = findings.iter().map(Finding::to_json).collect();
            out(&serde_json::to_string_pretty(&json).expect("findings serialize"));
        }
        Format::Text => {
            for f in findings.iter().filter(|f| f.is_error() || !output.quiet()) {
                let gap = if f.is_error() { "\n" } else { "" };
                // The kind ends the first line: `path:line:col: warning: message [todo]`.
                let rendered = f.diagnostic.render_with(&output.stdout);
                let (first, rest) = rendered.split_once('\n').unwrap_or((&rendered, ""));
                let rest = if rest.is_empty() { "" } else { "\n" };
                let more = rendered.split_once('\n').map_or("", |(_, r)| r);
                out(&format!("{first} [{}]{rest}{more}{gap}", f.kind));
            }
        }
    }
    output.note(&format!("check: {errors} error(s), {warnings} warning(s)"));
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `versus import jekyll`: 0 written (warnings allowed), 1 a broken _config.yml, 2 refused.
fn import_jekyll(src: &Path, dest: &Path, printer: Output) -> ExitCode {
    use versus::import::ImportError;
    match versus::import::jekyll(src, dest) {
        Ok(imported) => {
            printer.diagnostics(&imported.warnings, Path::new(""));
            printer.say(&format!(
                "wrote {} files into {}; {} thing(s) not carried over (warnings above). Next:",
                imported.written.len(),
                dest.display(),
                imported.warnings.len()
            ));
            printer.say(&format!("  versus build --root {}", dest.display()));
            ExitCode::SUCCESS
        }
        Err(ImportError::Config(diagnostic)) => {
            printer.diagnostics(&[*diagnostic], Path::new(""));
            eprintln!("import failed: nothing was written");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn scaffold_failed(error: &versus::scaffold::ScaffoldError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(2)
}
