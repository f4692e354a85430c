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
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let whole = page.with_body(&prepared.root).map_err(|d| vec![d])?;
    let whole = whole.as_ref();
    let made = renderer.memo_body(site, whole, || {
        let used = Used::default();
        let mut body = render_body(whole, prepared, Some(&used));
        let embeds = used.embeds.into_inner();
        let pictures = used.pictures.into_inner();
        // The value holds the HTML; the body keeps its problems (one copy kept in serve).
        let value = renderer.page_value(whole, site, &body);
        body.html = String::new();
        (
            body,
            embeds.unwrap_or_else(|e| e.into_inner()),
            pictures.unwrap_or_else(|e| e.into_inner()),
            value,
        )
    });
    let (body, embeds, mut pictures) = (&made.0, made.1.clone(), made.2.clone());
    let mut problems: Vec<Diagnostic> = body
        .problems
        .iter()
        .map(|p| whole.error_in_body(p.offset, p.message.clone()))
        .collect();
    problems.extend(front_matter_image(page, prepared));
    let warnings: Vec<Diagnostic> = body
        .warnings
        .iter()
        .map(|p| Diagnostic {
            severity: crate::diag::Severity::Warning,
            ..whole.error_in_body(p.offset, p.message.clone())
        })
        .collect();
    match renderer.page_reading(whole, made.3.clone()) {
        Ok((html, reads, layout_pictures)) if problems.is_empty() => Ok((
            html,
            RenderedPage {
                page,
                embeds,
                pictures: {
                    pictures.extend(layout_pictures);
                    pictures
                },
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

/// An error for a front-matter `image:` that names a file of the site that is not there or
/// does not decode, at the key.
fn front_matter_image(page: &Page, prepared: &Prepared) -> Option<Diagnostic> {
    let src = page.image.as_deref().and_then(crate::yaml::as_text)?;
    let file = image::static_file_of(&src, &page.url, &prepared.site.config.base_path)?;
    if is_builtin_static(&file) {
        return None;
    }
    let err = prepared.images.picture(&file).err()?;
    Some(page.error_at_key("image", None, format!("image `{src}`: {err}")))
}

/// Whether `file` (`static/favicon.svg`) is one of the built-in theme's static files, which
/// a site may show without shipping its own.
fn is_builtin_static(file: &Path) -> bool {
    let relative = file.strip_prefix("static").unwrap_or(file);
    theme::statics().any(|(name, _)| Path::new(name) == relative)
}

/// What `<img>` needs of `picture` shown as `src`: its size, and `srcset`s of its variants
/// under the base path.
pub(super) fn image_info(
    picture: &image::Picture,
    src: &str,
    config: &Config,
) -> markdown::ImageInfo {
    markdown::ImageInfo {
        size: picture.size,
        srcset: picture.srcset(src, &config.base_path),
        webp_srcset: picture.webp_srcset(&config.base_path),
        column: config.images.column,
    }
}

/// What a page's body used besides its text: the matrices it embeds and the pictures it shows.
#[derive(Default)]
pub(super) struct Used {
    embeds: Mutex<Vec<String>>,
    pictures: Mutex<Vec<Arc<image::Picture>>>,
}

/// A page's Markdown to HTML, as its layout gets it; the matrices it embeds and the pictures
/// it shows are pushed to `used` when given.
pub(super) fn render_body(
    page: &Page,
    prepared: &Prepared,
    used: Option<&Used>,
) -> markdown::Rendered {
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let resolve = |target: &str| site.source_link(&page.source, target).map(str::to_owned);
    let expand = |source: &str, heading: Option<&str>| {
        let result = renderer.expand_embed(source, heading)?;
        if let (Ok(_), Some(id), Some(used)) = (&result, render::embedded_call(source), used) {
            used.embeds
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(id.to_owned());
        }
        Some(result)
    };
    let config = &site.config;
    let lookup = |src: &str| {
        let file = image::static_file_of(src, &page.url, &config.base_path)?;
        if is_builtin_static(&file) {
            return None;
        }
        let picture = match prepared.images.picture(&file) {
            Ok(picture) => picture,
            Err(err) => return Some(Err(format!("image `{src}`: {err}"))),
        };
        let info = image_info(&picture, src, config);
        if let Some(used) = used {
            let mut pictures = used.pictures.lock().unwrap_or_else(|e| e.into_inner());
            pictures.push(picture);
        }
        Some(Ok(info))
    };
    let options = markdown::Options {
        resolve_source_link: Some(&resolve),
        expand_embed: Some(&expand),
        highlight_cache: renderer.highlight_cache(),
        palette: renderer.palette(),
        images: Some(&lookup),
        lazy_images: config.images.lazy,
        code_markup: site.config.code_markup,
        base_path: &site.config.base_path,
        relative_to: None,
    };
    markdown::render(page.body(), &options)
}
