//! The command line: every subcommand and flag, as clap derives them (completions and the manual
//! page are generated from the same definition).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "versus",
    version,
    about = "A static site generator for comparison blogs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors: no warnings, summary lines, progress or next steps (`serve` still
    /// prints its address).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print each stage of a build on stderr: what it read, rendered, copied and wrote,
    /// code blocks from the cache, and its time.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour diagnostics: `auto` on a terminal unless NO_COLOR is set (CLICOLOR_FORCE
    /// colours pipes too), `always`, or `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorWhen::Auto
    )]
    pub color: ColorWhen,
}

/// When diagnostics are coloured (ripgrep's and cargo's `--color`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
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
        /// Highlight all code and draw all social cards afresh instead of reusing `.versus-cache/`
        /// (and leave it alone).
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
        /// The URL the site is published at: its path (`https://example.com/blog/` → /blog/)
        /// is where the preview serves it, so links work as they will once published.
        #[arg(short, long)]
        base_url: Option<String>,
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
pub enum ImportFrom {
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
pub enum ThemeCommand {
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

#[derive(Subcommand)]
pub enum NewKind {
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
