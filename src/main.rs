//! The `versus` command: parse arguments, run a stage, print diagnostics, choose the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser, Subcommand};

use versus::check::{CheckOptions, ExternalOptions, Finding};
use versus::config::Overrides;
use versus::diag::Diagnostic;
use versus::pipeline::{self, BuildOptions, Failure};
use versus::serve::ServeOptions;

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

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    Build {
        /// The site folder (holds site.yaml, content/, layouts/, data/, static/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; defaults to <root>/public.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The URL the site is published at, overriding base_url of site.yaml.
        #[arg(short, long)]
        base_url: Option<String>,
        /// Include posts and pages marked `draft: true`.
        #[arg(short = 'D', long)]
        drafts: bool,
        /// Include posts dated after the day of the build (SOURCE_DATE_EPOCH pins that day).
        #[arg(short = 'F', long)]
        future: bool,
        /// Move an output folder that versus did not create aside to a backup beside it
        /// (<name>.versus-backup-<time>) instead of refusing it; nothing is deleted.
        #[arg(long)]
        force: bool,
        /// Highlight all code afresh instead of reusing `.versus-cache/` (and leave it alone).
        #[arg(long)]
        no_cache: bool,
        /// After a successful build, run the checks of `versus check`; exit 1 on check errors.
        #[arg(long)]
        check: bool,
    },
    /// List broken links and anchors, TODOs, empty sections, stale claims: everything to fix
    /// before publishing. Builds into memory; writes nothing but `.versus-cache/` (and, with `--update-sources`, `data/sources.lock`).
    Check {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include posts and pages marked `draft: true`.
        #[arg(short = 'D', long)]
        drafts: bool,
        /// Include posts dated after the day of the check.
        #[arg(short = 'F', long)]
        future: bool,
        /// Treat warnings as errors (exit 1 on any finding).
        #[arg(long)]
        strict: bool,
        /// `text` (path:line:col: message) or `json` (an array of findings on stdout).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also fetch http(s) links of posts, pages and matrix sources.
        #[arg(long)]
        external: bool,
        /// Seconds before one external request gives up.
        #[arg(long, default_value_t = 10, requires = "external")]
        timeout: u64,
        /// External requests in flight at once.
        #[arg(long, default_value_t = 8, requires = "external")]
        threads: usize,
        /// External requests in flight at once to one host.
        #[arg(long, default_value_t = 2, requires = "external")]
        per_host: usize,
        /// Seconds an external result is reused from .versus-cache/external-links.json (0: never).
        #[arg(long, default_value_t = 86_400, requires = "external")]
        cache_for: u64,
        /// Record what each cited page says now in data/sources.lock (claims verified before a
        /// page changed stay flagged until their `verified:` day moves past the change).
        #[arg(long, requires = "external")]
        update_sources: bool,
    },
    /// Start a comparison site in DIR (default: the current folder), which must be empty or
    /// new: settings, two products, a matrix, a post with its table (the look is the built-in
    /// theme's: see `versus theme`).
    Init {
        /// Where to start the site.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Write the next post or matrix of a site, ready to fill (never over an existing file).
    New {
        #[command(subcommand)]
        what: NewKind,
    },
    /// The built-in theme: list its files, or copy one into the site to change it (a site's
    /// own `layouts/x.html` or `static/x` is used in place of the built-in one).
    Theme {
        #[command(subcommand)]
        what: ThemeCommand,
    },
    /// Write a site made from another generator's (`versus import jekyll SRC DEST`); SRC is only
    /// read, DEST must be empty or new.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Print a shell completion script (for example `versus completions bash > ~/.local/share/bash-completion/completions/versus`).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (`versus man > versus.1; man ./versus.1`).
    Man,
    /// Preview the site: build into memory, serve it, rebuild and reload pages on every change.
    Serve {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on (0 picks a free one).
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on; keep it on loopback (the server is for previews only).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Include posts and pages marked `draft: true`.
        #[arg(short = 'D', long)]
        drafts: bool,
        /// Include posts dated after the day of the preview.
        #[arg(short = 'F', long)]
        future: bool,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Subcommand)]
enum NewKind {
    /// content/posts/<today>-<slug>.md with its front matter.
    Post {
        /// The post's title; its slug names the file.
        title: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// data/matrices/<name>.yaml with a cell for each product of data/providers.yaml.
    Matrix {
        /// The area's name; its slug names the file (and the page /compare/<name>/).
        name: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportFrom {
    /// A Jekyll site: _config.yml to site.yaml, _posts and _drafts to content/posts, pages to
    /// content/, _data, _includes, assets to static/; warns at what does not carry over.
    Jekyll {
        /// The Jekyll site (the folder of _config.yml).
        src: PathBuf,
        /// An empty or new folder for the versus site.
        dest: PathBuf,
    },
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Every built-in file, marked `(yours)` where the site has its own in its place.
    List {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Copy built-in files into the site to edit them (`versus theme copy layouts/post.html`);
    /// never over a file the site has.
    Copy {
        /// Paths as `theme list` shows them.
        #[arg(required = true)]
        files: Vec<String>,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            Ok(files) => {
                out(&format!(
                    "started a site in {} ({} files). Next:",
                    dir.display(),
                    files.len()
                ));
                if dir != Path::new(".") {
                    out(&format!("  cd {}", dir.display()));
                }
                out("  versus serve --open     preview it, reloading on every change");
                out("  versus check --strict   everything to fix before publishing");
                out("  versus build            write the site into public/");
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
                    out(&format!("wrote {}", path.display()));
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
                    out(&format!("wrote {}", path.display()));
                }
                ExitCode::SUCCESS
            }
            Err(e) => scaffold_failed(&e),
        },
        Command::Import {
            from: ImportFrom::Jekyll { src, dest },
        } => import_jekyll(&src, &dest),
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            future,
            open,
        } => serve(ServeOptions {
            build: site_options(root, drafts, future),
            bind,
            port,
            open,
        }),
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
                root,
                output,
                overrides: Overrides {
                    base_url,
                    today: Some(today()),
                },
                drafts,
                future,
                force,
            },
            check,
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
            check(&options, &CheckOptions { strict, external }, format)
        }
    }
}

/// How `serve` and `check` build a site: into memory, at its configured URL (serve overrides it).
fn site_options(root: PathBuf, drafts: bool, future: bool) -> BuildOptions {
    BuildOptions {
        highlight_cache: Some(cache_dir(&root)),
        root,
        output: None,
        overrides: Overrides {
            base_url: None,
            today: Some(today()),
        },
        drafts,
        future,
        force: false,
    }
}

/// Highlighted code is kept between builds in the site's `.versus-cache/` (git-ignored).
fn cache_dir(root: &std::path::Path) -> PathBuf {
    root.join(".versus-cache").join("highlight")
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

fn build(options: BuildOptions, run_check: bool) -> ExitCode {
    let started = Instant::now();
    match pipeline::build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, &options);
            out(&format!(
                "built {} pages, copied {} files into {} in {} ms",
                report.pages,
                report.copied,
                report.output.display(),
                started.elapsed().as_millis()
            ));
            if run_check {
                check(&options, &CheckOptions::default(), Format::Text)
            } else {
                ExitCode::SUCCESS
            }
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

/// `versus check`: 0 clean (warnings allowed), 1 findings at error level, 2 a failed build.
fn check(options: &BuildOptions, check: &CheckOptions, format: Format) -> ExitCode {
    let findings = match versus::check::check_site(options, check) {
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
                print_diagnostics(&diagnostics, options);
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
            for f in &findings {
                let gap = if f.is_error() { "\n" } else { "" };
                // The kind ends the first line: `path:line:col: warning: message [todo]`.
                let rendered = f.diagnostic.render();
                let (first, rest) = rendered.split_once('\n').unwrap_or((&rendered, ""));
                let rest = if rest.is_empty() { "" } else { "\n" };
                let more = rendered.split_once('\n').map_or("", |(_, r)| r);
                out(&format!("{first} [{}]{rest}{more}{gap}", f.kind));
            }
        }
    }
    eprintln!("check: {errors} error(s), {warnings} warning(s)");
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `versus import jekyll`: 0 written (warnings allowed), 1 a broken _config.yml, 2 refused.
fn import_jekyll(src: &Path, dest: &Path) -> ExitCode {
    use versus::import::ImportError;
    match versus::import::jekyll(src, dest) {
        Ok(imported) => {
            for warning in &imported.warnings {
                eprintln!("{}", warning.render());
            }
            out(&format!(
                "wrote {} files into {}; {} thing(s) not carried over (warnings above). Next:",
                imported.written.len(),
                dest.display(),
                imported.warnings.len()
            ));
            out(&format!("  versus build --root {}", dest.display()));
            ExitCode::SUCCESS
        }
        Err(ImportError::Config(diagnostic)) => {
            eprintln!("{}", diagnostic.render());
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

/// A line on stdout. A reader that went away (`versus check --format json | head`) ends the
/// output quietly instead of with a panic.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{text}").and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the output: {e}");
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], options: &BuildOptions) {
    for diagnostic in diagnostics {
        let shown = diagnostic.clone().relative_to(&options.root);
        let gap = if shown.is_error() { "\n" } else { "" };
        eprintln!("{}{gap}", shown.render());
    }
}
