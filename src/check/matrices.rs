//! Pass 3: the claims of the feature matrices: stale, without a source.

use crate::diag::Diagnostic;
use crate::site::Site;

use super::{Finding, finding, kind};

/// Stale claims and claims without a source, one finding per cell.
pub(super) fn check_matrices(site: &Site) -> Vec<Finding> {
    let limit = site.config.stale_before();
    let mut findings = Vec::new();
    for area in &site.matrices.areas {
        for feature in &area.features {
            for (provider, cell) in site.matrices.providers.iter().zip(&feature.cells) {
                let claim = format!("{}/{}", provider.id, feature.id);
                let at = |message: String| {
                    Diagnostic::warning(&area.source, message).at_offset(&area.text, cell.offset)
                };
                if let Some(verified) = cell.verified.filter(|v| *v < limit) {
                    let message = format!(
                        "stale claim {claim}: verified {verified}, more than {} days ago",
                        site.config.stale_after_days
                    );
                    findings.push(finding(kind::STALE_CLAIM, at(message)));
                }
                if cell.docs.is_empty() {
                    let message = format!("claim {claim} has no source: add `docs:` with a link");
                    findings.push(finding(kind::MISSING_SOURCE, at(message)));
                }
            }
        }
    }
    findings
}

/// The `docs` links of matrix claims, at their cells.
pub(super) fn matrix_docs(site: &Site) -> Vec<(String, Diagnostic)> {
    let mut links = Vec::new();
    for area in &site.matrices.areas {
        for feature in &area.features {
            for cell in &feature.cells {
                for url in &cell.docs {
                    let offset = area.text[cell.offset..]
                        .find(url.as_str())
                        .map_or(cell.offset, |o| cell.offset + o);
                    let d = Diagnostic::error(&area.source, String::new())
                        .at_offset(&area.text, offset);
                    links.push((url.clone(), d));
                }
            }
        }
    }
    links
}
