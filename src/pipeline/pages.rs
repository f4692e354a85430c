//! Content pages: read and parsed (with what their Liquid sees of the site), their Markdown
//! rendered (images measured, tables embedded) and put through their layout.

use super::*;

/// What a body's Liquid sees of the site's pages (`site.posts`, `post_url`, `link`): their
/// front matter, read before any body runs, as Jekyll reads every page before rendering one.
/// Pages that do not parse are left out here; parsing them again reports why.
pub(super) fn liquid_pages(
    root: &Path,
    sources: &source::Sources,
    config: &Config,
    options: &BuildOptions,
) -> liquid::SitePages {
    let read = |paths: &[PathBuf], kind: PageKind| -> Vec<Page> {
        paths
            .par_iter()
            .filter_map(|path| {
                let text = source::read_text(root, path).ok()?;
                page::parse(path, text, kind, config).ok()
            })
            .filter(|p| options.drafts || !p.draft)
            .filter(|p| options.future || !p.is_future(config.today))
            .collect()
    };
    let mut posts = read(&sources.posts, PageKind::Post);
    // Newest first, as the site lists them.
    posts.sort_by(|a, b| {
        let key = |p: &Page| p.date.map_or(0, |d| d.sort_key());
        key(b).cmp(&key(a)).then_with(|| b.source.cmp(&a.source))
    });
    liquid::SitePages {
        posts: posts.iter().map(page::liquid_page).collect(),
        pages: read(&sources.pages, PageKind::Page)
            .iter()
            .map(page::liquid_page)
            .collect(),
        statics: sources.statics.clone(),
    }
}

/// Reads and parses every post and page in parallel.
pub fn parse_pages(
    root: &Path,
    sources: &source::Sources,
    config: &Config,
    liquid: Option<&liquid::Env>,
    progress: &dyn Progress,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Arc<Page>> {
    parse_pages_keeping(root, sources, config, liquid, progress, problems, true)
}

/// [`parse_pages`]; without `bodies`, each page's body is let go as soon as it is parsed
/// ([`Page::shed_body`]), to be read again when the page is rendered.
pub(super) fn parse_pages_keeping(
    root: &Path,
    sources: &source::Sources,
    config: &Config,
    liquid: Option<&liquid::Env>,
    progress: &dyn Progress,
    problems: &mut Vec<Diagnostic>,
    bodies: bool,
) -> Vec<Arc<Page>> {
    let files = sources
        .posts
        .iter()
        .map(|p| (p, PageKind::Post))
        .chain(sources.pages.iter().map(|p| (p, PageKind::Page)));
    let results: Vec<Result<Page, Vec<Diagnostic>>> = files
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(path, kind)| {
            let text = source::read_text(root, path).map_err(|d| vec![d]);
            let mut parsed =
                text.and_then(|text| page::parse_with(path, text, kind, config, liquid));
            if let (Ok(page), false) = (&mut parsed, bodies) {
                page.shed_body();
            }
            progress.advance(1);
            parsed
        })
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(page) => pages.push(Arc::new(page)),
            Err(diagnostics) => problems.extend(diagnostics),
        }
    }
    pages
}

/// Markdown to HTML, then through the page's layout; also returns the matrices it embeds,
/// what it read of the list of posts and its warnings.
pub fn render_page<'p>(
    page: &'p Page,
    prepared: &Prepared,
) -> Result<(String, RenderedPage<'p>), Vec<Diagnostic>> {
    let embedded = Mutex::new(Vec::new());
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let whole = page.with_body(&prepared.root).map_err(|d| vec![d])?;
    let whole = whole.as_ref();
    let body = render_body(whole, prepared, Some(&embedded));
    let mut problems: Vec<Diagnostic> = body
        .problems
        .iter()
        .map(|p| whole.error_in_body(p.offset, p.message.clone()))
        .collect();
    let warnings: Vec<Diagnostic> = body
        .warnings
        .iter()
        .map(|p| Diagnostic {
            severity: crate::diag::Severity::Warning,
            ..whole.error_in_body(p.offset, p.message.clone())
        })
        .collect();
    match renderer.page_reading(whole, site, &body) {
        Ok((html, reads)) if problems.is_empty() => Ok((
            html,
            RenderedPage {
                page,
                embeds: embedded.into_inner().unwrap_or_else(|e| e.into_inner()),
                reads,
                warnings,
            },
        )),
        Ok(_) => {
            problems.extend(warnings);
            Err(problems)
        }
        Err(d) => {
            problems.push(d);
            problems.extend(warnings);
            Err(problems)
        }
    }
}

/// The file under `static/` that an image `src` written on the page at `page_url` names: a
/// site path (`/img/a.png`, with or without the site's `base_path`) or one relative to the
/// page (`a.png`, `../a.png`). None for another host, a `data:` URL or a path above the site.
pub(super) fn static_file_of(src: &str, page_url: &str, base_path: &str) -> Option<PathBuf> {
    let src = src.split(['?', '#']).next().unwrap_or(src);
    if src.is_empty() || src.starts_with("//") || src.contains(':') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(src)
        .decode_utf8()
        .ok()?;
    let site_path = match decoded.strip_prefix('/') {
        Some(_) => match decoded.strip_prefix(base_path) {
            Some(rest) if !base_path.is_empty() && rest.starts_with('/') => rest.to_owned(),
            _ => decoded.into_owned(),
        },
        None => format!("{}{decoded}", &page_url[..=page_url.rfind('/')?]),
    };
    let mut file = PathBuf::from("static");
    let mut depth = 0usize;
    for part in site_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth = depth.checked_sub(1)?;
                file.pop();
            }
            part => {
                depth += 1;
                file.push(part);
            }
        }
    }
    (depth > 0).then_some(file)
}

/// The width and height of `file` (under `static/`, relative to `root`), if the site ships it
/// and its header is an image format imagesize reads (PNG, JPEG, GIF, WebP, AVIF, …; not SVG).
pub(super) fn measure_image(root: &Path, statics: &[PathBuf], file: &Path) -> Option<(u32, u32)> {
    if !statics.iter().any(|shipped| shipped == file) {
        return None;
    }
    let size = imagesize::size(root.join(file)).ok()?;
    let width = u32::try_from(size.width).ok().filter(|&w| w > 0)?;
    let height = u32::try_from(size.height).ok().filter(|&h| h > 0)?;
    Some((width, height))
}

/// A page's Markdown to HTML, as its layout gets it; the matrices it embeds are pushed to
/// `embedded` when given.
pub(super) fn render_body(
    page: &Page,
    prepared: &Prepared,
    embedded: Option<&Mutex<Vec<String>>>,
) -> markdown::Rendered {
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let resolve = |target: &str| site.source_link(&page.source, target).map(str::to_owned);
    let expand = |source: &str, heading: Option<&str>| {
        let result = renderer.expand_embed(source, heading)?;
        if let (Ok(_), Some(id), Some(embedded)) =
            (&result, render::embedded_call(source), embedded)
        {
            embedded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(id.to_owned());
        }
        Some(result)
    };
    let measure = |src: &str| {
        let file = static_file_of(src, &page.url, &site.config.base_path)?;
        measure_image(&prepared.root, &prepared.statics, &file)
    };
    let options = markdown::Options {
        resolve_source_link: Some(&resolve),
        expand_embed: Some(&expand),
        highlight_cache: renderer.highlight_cache(),
        palette: renderer.palette(),
        image_size: Some(&measure),
        code_markup: site.config.code_markup,
        base_path: &site.config.base_path,
        relative_to: None,
    };
    markdown::render(page.body(), &options)
}
