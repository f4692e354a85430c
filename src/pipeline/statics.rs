//! Static files: the site's `static/`, and the built-in theme's files its layouts name.

use super::*;

/// Copies `static/` into the output; a static file may not take a page's place.
pub(super) fn copy_static(
    staging: &dyn Sink,
    root: &Path,
    statics: &[PathBuf],
    site: &Site,
    generated: &[PathBuf],
    progress: &dyn Progress,
    problems: &mut Vec<Diagnostic>,
) -> usize {
    let copy_one = |file: &PathBuf| {
        let relative = file.strip_prefix("static").unwrap_or(file);
        if let Some(page) = site.page_at(relative) {
            let message = format!(
                "would overwrite the page built from {} at /{}",
                page.source.display(),
                relative.display()
            );
            return Some(Diagnostic::error(file, message));
        }
        // A static highlight.css replaces the generated one on purpose; nothing else may.
        if relative != Path::new(HIGHLIGHT_CSS) && generated.iter().any(|g| g == relative) {
            let message = format!(
                "would overwrite /{}, which versus generates",
                relative.display()
            );
            return Some(Diagnostic::error(file, message));
        }
        // Not the file's content at fault: a static file that cannot be read (or written).
        staging
            .copy(&root.join(file), relative)
            .err()
            .map(|err| Diagnostic::unreadable(file, err.to_string()))
    };
    let results: Vec<Option<Diagnostic>> = statics
        .par_iter()
        .map(|file| {
            let problem = copy_one(file);
            progress.advance(1);
            problem
        })
        .collect();
    let failed = results.iter().flatten().count();
    problems.extend(results.into_iter().flatten());
    statics.len() - failed
}

/// Copies the built-in theme's static files that a layout names (the built-in base.html names
/// `style.css` and `favicon.svg`) and the site has none of; a site with its own look gets none.
pub(super) fn copy_builtin_static(
    prepared: &Prepared,
    sink: &dyn Sink,
    problems: &mut Vec<Diagnostic>,
) -> usize {
    let own: std::collections::HashSet<&Path> = prepared
        .statics
        .iter()
        .map(|file| file.strip_prefix("static").unwrap_or(file))
        .collect();
    let site = &prepared.site;
    let mut copied = 0;
    for (name, bytes) in theme::statics() {
        let relative = Path::new(name);
        let taken = own.contains(relative)
            || site.page_at(relative).is_some()
            || prepared.generated.iter().any(|g| g == relative);
        // The search page names its script in its content, not in a layout.
        let named =
            prepared.renderer.layouts_name(name) || (name == search::SCRIPT && site.config.search);
        if !taken && named {
            put(sink, relative, bytes, problems);
            copied += 1;
        }
    }
    copied
}
