//! Stage 3's generated outputs: the blog's pages and feeds, /compare/, redirects, social
//! cards and the search index, each from the cache of the preview server when unchanged.

use super::*;

/// The output files versus makes itself (no content page may take their place).
pub fn generated_outputs(site: &Site, terms: &blog::Terms) -> Vec<PathBuf> {
    let mut outputs = vec![PathBuf::from(HIGHLIGHT_CSS)];
    // The home page (and its /page/N/), taxonomies, series, feeds, sitemap, robots.txt, 404.
    outputs.extend(blog::outputs(site, terms).iter().map(|o| o.file(site)));
    if site.config.search {
        outputs.push(page::output_file(search::PAGE));
        outputs.push(PathBuf::from(format!("{}/index.json", search::DIR)));
    }
    if !site.matrices.areas.is_empty() {
        outputs.extend(
            [
                "compare/index.html",
                "compare/changes/index.html",
                "compare/changes/feed.xml",
                "compare/matrix.json",
                "compare/matrix.csv",
            ]
            .map(PathBuf::from),
        );
        for area in &site.matrices.areas {
            outputs.push(page::output_file(&compare::area_path(&area.id)));
        }
    }
    outputs.extend(card::all(site).into_iter().map(|card| card.output));
    outputs
}

/// Whether the site has its own `static/_redirects` (which then wins over versus's).
pub fn has_own_redirects_file(statics: &[PathBuf]) -> bool {
    statics
        .iter()
        .any(|f| f.strip_prefix("static").unwrap_or(f) == Path::new(redirect::REDIRECTS_FILE))
}

/// The outputs of the aliases: a redirect page each, and `_redirects` unless the site has its
/// own.
pub fn redirect_outputs(redirects: &[redirect::Redirect], statics: &[PathBuf]) -> Vec<PathBuf> {
    let mut outputs: Vec<PathBuf> = redirects.iter().map(redirect::Redirect::file).collect();
    if !redirects.is_empty() && !has_own_redirects_file(statics) {
        outputs.push(PathBuf::from(redirect::REDIRECTS_FILE));
    }
    outputs
}

/// A generated output's bytes, or the problem making it.
pub(super) type Made = Result<Arc<Vec<u8>>, Diagnostic>;

/// Renders the home page (when content/ has none) and the comparison pages and exports.
/// Feeds and the sitemap go through the preview server's cache too, each under a key of what
/// it lists. Each output is written to `sink` as soon as it is made, so a site of 100,000
/// posts never holds all its term pages at once; returns each output with its problem.
pub(super) fn generate(
    prepared: &Prepared,
    mentions: &BTreeMap<String, Vec<&Page>>,
    sink: &dyn Sink,
) -> Vec<(PathBuf, Option<Diagnostic>)> {
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let put = |file: PathBuf, made: Made| {
        let problem = match made {
            Ok(bytes) => (sink.put_shared(&file, bytes))
                .err()
                .map(|err| Diagnostic::error(&file, err.to_string())),
            Err(d) => Some(d),
        };
        (file, problem)
    };
    let mut out = Vec::new();
    let config = &site.config;
    // The blog: home pages, taxonomies, series (pages and feeds), the feed, sitemap, robots, 404.
    let blog_outputs = blog::outputs(site, &prepared.terms);
    let post_keys = renderer.post_keys();
    // The whole HTML of posts for `feed: {content: full}`, each rendered once for all feeds.
    let bodies: Mutex<HashMap<PathBuf, Arc<String>>> = Mutex::default();
    // Posts whose file no longer reads as when it was parsed: the build fails with them.
    let unread: Mutex<Vec<Diagnostic>> = Mutex::default();
    let summary_source = |post: &Page| -> String {
        match post.summary_source_from(&prepared.root) {
            Ok(source) => source.into_owned(),
            Err(d) => {
                unread.lock().unwrap_or_else(|e| e.into_inner()).push(d);
                String::new()
            }
        }
    };
    let full_html = |post: &Page| -> String {
        let known = bodies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&post.source)
            .cloned();
        let body = known.unwrap_or_else(|| {
            let html = match post.with_body(&prepared.root) {
                Ok(whole) => render_body(&whole, prepared, None).html,
                Err(d) => {
                    unread.lock().unwrap_or_else(|e| e.into_inner()).push(d);
                    String::new()
                }
            };
            let body = Arc::new(html);
            let mut bodies = bodies.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(bodies.entry(post.source.clone()).or_insert(body))
        });
        body.to_string()
    };
    let made: Vec<(PathBuf, Option<Diagnostic>)> = blog_outputs
        .par_iter()
        .map(|output| {
            let file = output.file(site);
            let made = match output {
                blog::Output::Feed | blog::Output::Rss => {
                    let rss = matches!(output, blog::Output::Rss);
                    let listed = &post_keys[..post_keys.len().min(config.feed.entries)];
                    let key = incremental::hash_of(&("feed", rss, renderer.urls_key(), listed));
                    renderer.memo(key, || {
                        let posts: Vec<&Page> = site.posts.iter().map(|p| &**p).collect();
                        let path = output.path(site);
                        let meta = feed::Feed {
                            title: &config.title,
                            path: &path,
                            alternate: "/",
                            palette: renderer.palette(),
                            summary_source: &summary_source,
                        };
                        Ok(match rss {
                            true => feed::rss(site, &meta, &posts, &full_html),
                            false => feed::atom(site, &meta, &posts, &full_html),
                        })
                    })
                }
                blog::Output::TermFeed(taxonomy, slug) | blog::Output::TermRss(taxonomy, slug) => {
                    let rss = matches!(output, blog::Output::TermRss(..));
                    let term = prepared
                        .terms
                        .get(taxonomy)
                        .and_then(|list| list.iter().find(|t| &t.slug == slug));
                    match term {
                        Some(term) => {
                            let newest = &term.posts[..term.posts.len().min(config.feed.entries)];
                            let listed: Vec<u64> = newest.iter().map(|&i| post_keys[i]).collect();
                            let key = (
                                "term feed",
                                rss,
                                taxonomy,
                                renderer.urls_key(),
                                &term.name,
                                slug,
                                listed,
                            );
                            renderer.memo(incremental::hash_of(&key), || {
                                let name = blog::term_title(site, *taxonomy, term);
                                let title = format!("{name} · {}", config.title);
                                let path = output.path(site);
                                let alternate = term.path(*taxonomy);
                                let meta = feed::Feed {
                                    title: &title,
                                    path: &path,
                                    alternate: &alternate,
                                    palette: renderer.palette(),
                                    summary_source: &summary_source,
                                };
                                let posts = term.pages(site);
                                Ok(match rss {
                                    true => feed::rss(site, &meta, &posts, &full_html),
                                    false => feed::atom(site, &meta, &posts, &full_html),
                                })
                            })
                        }
                        None => Ok(Arc::default()),
                    }
                }
                blog::Output::SeriesFeed(i) => {
                    let series = &site.series[*i];
                    let posts = blog::series_posts(site, series);
                    // Each entry: the post (all it is rendered from, for full content) and its
                    // authors' entries of data/authors.yaml.
                    let entries: Vec<_> =
                        posts
                            .iter()
                            .map(|p| {
                                let index = site.posts.iter().position(|q| std::ptr::eq(&**q, *p));
                                (p.fingerprint, index.map(|i| post_keys[i]))
                            })
                            .zip(posts.iter().map(|p| {
                                p.authors.iter().map(|a| site.author(a)).collect::<Vec<_>>()
                            }))
                            .collect();
                    let key = (renderer.urls_key(), series, entries);
                    let key = incremental::hash_of(&("series feed", key));
                    renderer.memo(key, || {
                        let path = blog::series_feed_path(&series.id);
                        let title = format!("{} · {}", series.title, config.title);
                        let alternate = blog::series_path(&series.id);
                        let meta = feed::Feed {
                            title: &title,
                            path: &path,
                            alternate: &alternate,
                            palette: renderer.palette(),
                            summary_source: &summary_source,
                        };
                        Ok(feed::atom(site, &meta, &posts, &full_html))
                    })
                }
                blog::Output::Robots => Ok(Arc::new(feed::robots(site).into_bytes())),
                blog::Output::Sitemap => {
                    let key = ("sitemap", renderer.urls_key(), &prepared.generated);
                    renderer.memo(incremental::hash_of(&key), || {
                        // Every page of the site but the 404 page, posts with their day.
                        let mut pages: Vec<(String, Option<String>)> = site
                            .all_pages()
                            .map(|p| {
                                (
                                    p.url.clone(),
                                    p.updated.or(p.date).map(|d| feed::rfc3339(&d)),
                                )
                            })
                            .collect();
                        let redirects: std::collections::HashSet<PathBuf> = prepared
                            .redirects
                            .iter()
                            .map(redirect::Redirect::file)
                            .collect();
                        for file in &prepared.generated {
                            if redirects.contains(file) {
                                continue;
                            }
                            let path = file.to_string_lossy().replace('\\', "/");
                            let search_page = page::output_file(search::PAGE);
                            if path == "404.html"
                                || !path.ends_with(".html")
                                || file == &search_page
                            {
                                continue;
                            }
                            let url = path.strip_suffix("index.html").unwrap_or(&path);
                            pages.push((format!("/{url}"), None));
                        }
                        Ok(feed::sitemap(site, &pages))
                    })
                }
                page => match renderer.blog_page(site, page, &prepared.terms) {
                    Some(html) => html,
                    None => Ok(Arc::default()),
                },
            };
            put(file, made)
        })
        .collect();
    out.extend(made);
    let unread = unread.into_inner().unwrap_or_else(|e| e.into_inner());
    out.extend(unread.into_iter().map(|d| (d.path.clone(), Some(d))));
    for redirect in &prepared.redirects {
        let html = redirect::page_html(config, redirect);
        out.push(put(redirect.file(), Ok(Arc::new(html.into_bytes()))));
    }
    if !prepared.redirects.is_empty() && !has_own_redirects_file(&prepared.statics) {
        let text = redirect::redirects_file(config, &prepared.redirects);
        out.push(put(
            PathBuf::from(redirect::REDIRECTS_FILE),
            Ok(Arc::new(text.into_bytes())),
        ));
    }
    if config.search {
        let search = search_outputs(prepared);
        out.extend(search.into_iter().map(|(file, made)| put(file, made)));
    }
    let matrices = &site.matrices;
    if matrices.areas.is_empty() {
        return out;
    }
    let layout = renderer.pick_layout(&["compare"], "page");
    let page = |url: String, title: String, description: String, content: String| Generated {
        kind: "compare",
        layout: layout.clone(),
        title,
        description,
        url,
        content,
        card: None,
        feed: None,
    };
    let strings = &site.strings;
    let index = page(
        "/compare/".into(),
        strings.text("nav.compare").into(),
        strings.text("compare.description").into(),
        compare::index_html(matrices, config, strings),
    );
    out.push(put(
        PathBuf::from("compare/index.html"),
        renderer.generated(&index),
    ));
    let table = TableOptions {
        stale: Some(Staleness::of(config)),
        base_path: config.base_path.clone(),
        code_markup: config.code_markup,
        ..TableOptions::default()
    };
    for area in &matrices.areas {
        let mut discussed: Vec<&Page> = mentions.get(&area.id).cloned().unwrap_or_default();
        discussed.sort_by(|a, b| {
            (b.date.map(|d| d.sort_key()), &b.source)
                .cmp(&(a.date.map(|d| d.sort_key()), &a.source))
        });
        discussed.dedup_by(|a, b| a.source == b.source);
        let links: Vec<compare::Mention> = discussed
            .iter()
            .map(|p| (p.title.as_str(), p.url.as_str()))
            .collect();
        let url = compare::area_path(&area.id);
        let content = compare::area_html(
            area,
            matrices,
            &table,
            &links,
            config,
            strings,
            renderer.palette(),
        );
        let description = area.summary.clone().unwrap_or_else(|| area.title.clone());
        let area_page = Generated {
            card: Card::for_area(area, matrices, config),
            ..page(url.clone(), area.title.clone(), description, content)
        };
        out.push(put(page::output_file(&url), renderer.generated(&area_page)));
    }
    let changes = page(
        compare::changes::PAGE.into(),
        strings.text("changes.title").into(),
        strings.text("changes.description").into(),
        compare::changes::html(matrices, config, strings),
    );
    out.push(put(
        page::output_file(compare::changes::PAGE),
        renderer.generated(&changes),
    ));
    out.push(put(
        PathBuf::from("compare/changes/feed.xml"),
        Ok(Arc::new(
            compare::changes::atom(matrices, config, strings).into_bytes(),
        )),
    ));
    out.push(put(
        PathBuf::from("compare/matrix.json"),
        Ok(Arc::new(compare::json(matrices, strings).into_bytes())),
    ));
    out.push(put(
        PathBuf::from("compare/matrix.csv"),
        Ok(Arc::new(compare::csv(matrices).into_bytes())),
    ));
    out
}

/// Draws the social cards of the site in parallel, each written to `sink` at once (10,000
/// cards are ~160 MB); from the disk cache when kept there, and in the preview server from
/// memory under a key of what each shows.
pub(super) fn write_cards(prepared: &Prepared, sink: &dyn Sink) -> Vec<Diagnostic> {
    let renderer = &prepared.renderer;
    card::all(&prepared.site)
        .into_par_iter()
        .filter_map(|card| {
            let key = incremental::hash_of(&("card", &card.site_title, &card.title, &card.detail));
            let made = renderer.memo_bytes(key, || {
                let png = match &prepared.card_cache {
                    Some(cache) => cache.png(&card),
                    None => card.png(),
                };
                png.map_err(|err| Diagnostic::error(&card.output, err.to_string()))
            });
            let written = made.and_then(|bytes| {
                sink.put_shared(&card.output, bytes)
                    .map_err(|err| Diagnostic::error(&card.output, err.to_string()))
            });
            written.err()
        })
        .collect()
}

/// The variants of `pictures` and of the pictures layouts asked for, each written once
/// however many pages show it: copied from the disk cache, or put from memory. Returns the
/// variants written.
pub(super) fn write_variants(
    prepared: &Prepared,
    pictures: &[Arc<image::Picture>],
    sink: &dyn Sink,
    problems: &mut Vec<Diagnostic>,
) -> usize {
    let requested = prepared.images.requested();
    let mut seen = std::collections::HashSet::new();
    let variants: Vec<&image::Variant> = pictures
        .iter()
        .chain(&requested)
        .flat_map(|picture| &picture.variants)
        .filter(|variant| seen.insert(&variant.output))
        .collect();
    let failed: Vec<Diagnostic> = variants
        .par_iter()
        .filter_map(|variant| {
            let written = match &variant.data {
                image::VariantData::Cached(file) => sink.copy(file, &variant.output),
                image::VariantData::Encoded(bytes) => {
                    sink.put_shared(&variant.output, Arc::clone(bytes))
                }
            };
            written
                .err()
                .map(|err| Diagnostic::error(&variant.output, err.to_string()))
        })
        .collect();
    let written = variants.len() - failed.len();
    problems.extend(failed);
    written
}

/// The search page, and in a build the files of the search index (the preview server makes
/// those on request instead: see [`Prepared::defer_search_index`]).
pub(super) fn search_outputs(prepared: &Prepared) -> Vec<(PathBuf, Made)> {
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let config = &site.config;
    let page = Generated {
        kind: "search",
        layout: renderer.pick_layout(&["search"], "page"),
        title: site.strings.text("search.title").into(),
        description: site.strings.text("search.description").into(),
        url: search::PAGE.into(),
        content: search::page_html(config, &site.strings),
        card: None,
        feed: None,
    };
    let mut out = vec![(page::output_file(search::PAGE), renderer.generated(&page))];
    if !prepared.defer_search_index {
        let (_, documents, unread) = search_documents(prepared);
        let files = search_files(&documents);
        out.extend(files.into_iter().map(|(path, bytes)| (path, Ok(bytes))));
        out.extend(unread.into_iter().map(|d| (d.path.clone(), Err(d))));
    }
    out
}

/// The documents the search index is made of (posts, then matrix features), a key of them,
/// and the errors of posts whose body could not be read again. Each post's document is kept
/// by the preview server under a key of what it reads: its source and URL (its body after
/// Liquid, on a Liquid site) and the base path.
pub fn search_documents(prepared: &Prepared) -> (u64, Vec<Arc<search::Document>>, Vec<Diagnostic>) {
    search_documents_keeping(prepared, &mut KeptDocuments::default())
}

/// The post documents of the preview server's last rebuild, in post order, so that the next
/// one makes or looks up only those of posts that changed: hashing and looking up the keys of
/// 10,000 posts on every save was a third of a text edit's rebuild.
#[derive(Debug, Default)]
pub struct KeptDocuments {
    base_path: String,
    posts: Vec<KeptDocument>,
}

#[derive(Debug)]
struct KeptDocument {
    /// What the document is made of: the post's fingerprint covers its source path and text
    /// (and its body after Liquid).
    fingerprint: u64,
    url: String,
    key: u64,
    document: Arc<search::Document>,
}

/// [`search_documents`], reusing the documents of `kept` whose post is unchanged at the same
/// place in the list, and keeping the new ones there for the next rebuild.
pub fn search_documents_keeping(
    prepared: &Prepared,
    kept: &mut KeptDocuments,
) -> (u64, Vec<Arc<search::Document>>, Vec<Diagnostic>) {
    let (site, renderer) = (&prepared.site, &prepared.renderer);
    let config = &site.config;
    let features = search::feature_documents(&site.matrices, config, &site.strings);
    let unread: Mutex<Vec<Diagnostic>> = Mutex::default();
    if kept.base_path != config.base_path {
        kept.posts.clear();
        kept.base_path.clone_from(&config.base_path);
    }
    let same =
        |k: &KeptDocument, post: &Page| k.fingerprint == post.fingerprint && k.url == post.url;
    let mut previous = std::mem::take(&mut kept.posts).into_iter();
    let mut moved = Vec::new();
    let mut reused: Vec<Option<KeptDocument>> = site
        .posts
        .iter()
        .map(|post| {
            let k = previous.next()?;
            if same(&k, post) {
                return Some(k);
            }
            moved.push(k);
            None
        })
        .collect();
    moved.extend(previous);
    // A post that moved in the list (a new date, one added or deleted before it).
    if !moved.is_empty() {
        let mut by_fingerprint: HashMap<u64, KeptDocument> =
            moved.into_iter().map(|k| (k.fingerprint, k)).collect();
        for (post, slot) in site.posts.iter().zip(&mut reused) {
            if slot.is_none() {
                *slot = by_fingerprint
                    .remove(&post.fingerprint)
                    .filter(|k| same(k, post));
            }
        }
    }
    let missing: Vec<usize> = (0..reused.len()).filter(|&i| reused[i].is_none()).collect();
    let missing_keys: Vec<u64> = missing
        .par_iter()
        .map(|&i| {
            let post = &site.posts[i];
            let body = config.liquid.then(|| post.body());
            let key = (post.fingerprint, &post.url, body, &config.base_path);
            incremental::hash_of(&("search document", key))
        })
        .collect();
    let made = renderer.memo_values(&missing_keys, |m| {
        let post = &site.posts[missing[m]];
        match post.with_body(&prepared.root) {
            Ok(whole) => search::post_document(&whole, config),
            Err(d) => {
                unread.lock().unwrap_or_else(|e| e.into_inner()).push(d);
                search::post_document(post, config)
            }
        }
    });
    for ((&i, key), document) in missing.iter().zip(missing_keys).zip(made) {
        let post = &site.posts[i];
        reused[i] = Some(KeptDocument {
            fingerprint: post.fingerprint,
            url: post.url.clone(),
            key,
            document,
        });
    }
    kept.posts = reused.into_iter().flatten().collect();
    let keys: Vec<u64> = kept.posts.iter().map(|k| k.key).collect();
    let mut documents: Vec<Arc<search::Document>> =
        kept.posts.iter().map(|k| Arc::clone(&k.document)).collect();
    let key = incremental::hash_of(&("search index", keys, &features));
    documents.extend(features.into_iter().map(Arc::new));
    let unread = unread.into_inner().unwrap_or_else(|e| e.into_inner());
    (key, documents, unread)
}

/// The files of the search index of `documents`, as a build writes them.
pub fn search_files(documents: &[Arc<search::Document>]) -> Vec<(PathBuf, Arc<Vec<u8>>)> {
    let documents: Vec<&search::Document> = documents.iter().map(|d| &**d).collect();
    search::index(&documents)
        .into_iter()
        .map(|(path, json)| (path, Arc::new(json.into_bytes())))
        .collect()
}
