//! The layouts' image functions, as Zola's `get_image_metadata` and `resize_image` or Hugo's
//! `.Width` and `.Resize`:
//!
//! - `image_meta("/img/a.png")`: `url`, `width`, `height`, and for an image wider than the
//!   content column `srcset`, `webp_srcset` and `sizes`, as a Markdown image gets them; none
//!   for another host's image, a relative path or a file the site does not ship.
//! - `resize_image("/img/a.png", width=400)`: `url`, `width`, `height` of the image at that
//!   width (the file itself when it is no wider), and `webp` beside a PNG.
//!
//! What a content page's layout asked for is collected with the page, so the preview server
//! writes those variants while it keeps the page.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Object, Value};
use minijinja::{Environment, Error, ErrorKind, State};

use crate::config::Config;
use crate::image::{Images, Picture};

/// The context variable a content page's render collects its layout's pictures in.
pub(super) const COLLECTED: &str = "__versus_layout_images";

/// The pictures a page's layout asked for.
#[derive(Debug, Default)]
pub(super) struct Collected {
    pub(super) pictures: Mutex<Vec<Arc<Picture>>>,
}

impl Object for Collected {}

/// Whether `path` is the front-matter `image:` of the page being rendered.
fn is_page_image(state: &State, path: &str) -> bool {
    state
        .lookup("page")
        .and_then(|page| page.get_attr("image").ok())
        .is_some_and(|image| image.as_str() == Some(path))
}

pub(super) fn add_image_functions(
    env: &mut Environment<'static>,
    config: &Arc<Config>,
    images: &Arc<Images>,
) {
    let (meta_config, meta_images) = (Arc::clone(config), Arc::clone(images));
    env.add_function(
        "image_meta",
        move |state: &State, path: &str| -> Result<Value, Error> {
            // A layout cannot tell what a relative path is relative to.
            let file = path
                .starts_with('/')
                .then(|| crate::image::static_file_of(path, "/", ""))
                .flatten();
            let Some(file) = file else {
                return Ok(Value::from(()));
            };
            let picture = match meta_images.picture(&file) {
                Ok(picture) => picture,
                Err(crate::image::ImageError::Missing(_)) => return Ok(Value::from(())),
                // The page's own `image:` was reported at its front matter: one fault, one error.
                Err(_) if is_page_image(state, path) => return Ok(Value::from(())),
                Err(err) => return Err(invalid(format!("image_meta: {err}"))),
            };
            collect(state, &picture);
            let base = &meta_config.base_path;
            let url = meta_config.relative_url(path);
            let column = meta_images.settings().column;
            let mut meta = vec![("url", Value::from(url.clone()))];
            if let Some((width, height)) = picture.size {
                meta.push(("width", Value::from(width)));
                meta.push(("height", Value::from(height)));
            }
            if let Some(srcset) = picture.srcset(&url, base) {
                meta.push(("srcset", Value::from(srcset)));
                let sizes = format!("(max-width: {column}px) 100vw, {column}px");
                meta.push(("sizes", Value::from(sizes)));
            }
            if let Some(webp) = picture.webp_srcset(base) {
                meta.push(("webp_srcset", Value::from(webp)));
            }
            Ok(Value::from(meta.into_iter().collect::<BTreeMap<_, _>>()))
        },
    );
    let (config, images) = (Arc::clone(config), Arc::clone(images));
    env.add_function(
        "resize_image",
        move |state: &State, path: &str, kwargs: Kwargs| -> Result<Value, Error> {
            let width: u32 = kwargs.get("width")?;
            kwargs.assert_all_used()?;
            let file = path
                .starts_with('/')
                .then(|| crate::image::static_file_of(path, "/", ""))
                .flatten()
                .ok_or_else(|| {
                    invalid(format!(
                        "resize_image: `{path}` must be a site path, such as `/img/a.png`"
                    ))
                })?;
            if width == 0 {
                return Err(invalid("resize_image: `width` must be at least 1".into()));
            }
            let picture = images
                .resized(Path::new(&file), width)
                .map_err(|err| invalid(format!("resize_image: {err}")))?;
            if picture.format.is_none() {
                return Err(invalid(format!(
                    "resize_image: `{path}` is not a PNG, JPEG or WebP image"
                )));
            }
            collect(state, &picture);
            let base = &config.base_path;
            let own = picture
                .format
                .and_then(|format| picture.variants_in(format).next());
            let (url, (width, height)) = match own {
                Some(variant) => (variant.url(base), (variant.width, variant.height)),
                None => (config.relative_url(path), picture.size.unwrap_or_default()),
            };
            let mut meta = vec![
                ("url", Value::from(url)),
                ("width", Value::from(width)),
                ("height", Value::from(height)),
            ];
            let webp = picture.variants_in(crate::image::Format::WebP).next();
            if let (Some(webp), Some(crate::image::Format::Png)) = (webp, picture.format) {
                meta.push(("webp", Value::from(webp.url(base))));
            }
            Ok(Value::from(meta.into_iter().collect::<BTreeMap<_, _>>()))
        },
    );
}

/// Adds `picture` to what the page being rendered collects, if it collects.
fn collect(state: &State, picture: &Arc<Picture>) {
    if let Some(collected) = state.lookup(COLLECTED)
        && let Some(collected) = collected.downcast_object_ref::<Collected>()
    {
        let mut pictures = collected.pictures.lock().unwrap_or_else(|e| e.into_inner());
        pictures.push(Arc::clone(picture));
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}
