//! Pass 3: the claims of the feature matrices. A claim is evidence: it cites its provider's own
//! documentation, says the day someone checked it against that text, and an `unknown` says why.

use crate::diag::Diagnostic;
use crate::matrix::Support;
use crate::site::Site;

use super::{Finding, finding, kind};

/// Claims that are stale, unsourced, sourced elsewhere than their provider's documentation,
/// never verified, or unknown without a reason: one finding per cell and problem.
pub(super) fn check_matrices(site: &Site) -> Vec<Finding> {
    let limit = site.config.stale_before();
    let today = site.config.today;
    let mut findings = Vec::new();
    for area in &site.matrices.areas {
        for feature in &area.features {
            for (provider, cell) in site.matrices.providers.iter().zip(&feature.cells) {
                let claim = format!("{}/{}", provider.id, feature.id);
                let mut warn = |kind: &'static str, message: String| {
                    let d = Diagnostic::warning(&area.source, message)
                        .at_offset(&area.text, cell.offset);
                    findings.push(finding(kind, d));
                };
                match cell.verified {
                    Some(verified) if verified < limit => warn(
                        kind::STALE_CLAIM,
                        format!(
                            "stale claim {claim}: verified {verified}, more than {} days ago",
                            site.config.stale_after_days
                        ),
                    ),
                    Some(verified) if verified > today => warn(
                        kind::UNVERIFIED_CLAIM,
                        format!("claim {claim} says verified {verified}, after today ({today})"),
                    ),
                    Some(_) => {}
                    None if cell.support == Support::Unknown => {}
                    None => warn(
                        kind::UNVERIFIED_CLAIM,
                        format!(
                            "claim {claim} has no `verified:` day: when was it checked against its source?"
                        ),
                    ),
                }
                if cell.support == Support::Unknown {
                    if cell.note.is_none() {
                        warn(
                            kind::UNEXPLAINED_UNKNOWN,
                            format!(
                                "claim {claim} is `unknown` without a `note:` saying what evidence is missing"
                            ),
                        );
                    }
                    continue;
                }
                if cell.docs.is_empty() {
                    let message = format!("claim {claim} has no source: add `docs:` with a link");
                    warn(kind::MISSING_SOURCE, message);
                } else if !provider.sources.is_empty()
                    && !cell
                        .docs
                        .iter()
                        .any(|url| provider.sources.iter().any(|s| url.starts_with(s.as_str())))
                {
                    warn(
                        kind::FOREIGN_SOURCE,
                        format!(
                            "claim {claim} cites no page of {}'s own documentation ({})",
                            provider.short,
                            provider.sources.join(", ")
                        ),
                    );
                }
            }
        }
    }
    findings
}

/// A page a matrix claim cites, at its place in the matrix file.
pub(super) struct Citation {
    pub(super) url: String,
    /// `eks/etcd-key-rotation`.
    pub(super) claim: String,
    pub(super) verified: Option<jiff::civil::Date>,
    /// At the cell, for findings about the claim.
    pub(super) cell: Diagnostic,
    /// At the URL, for findings about the link.
    pub(super) link: Diagnostic,
}

/// The `docs` links of matrix claims.
pub(super) fn matrix_docs(site: &Site) -> Vec<Citation> {
    let mut citations = Vec::new();
    for area in &site.matrices.areas {
        for feature in &area.features {
            for (provider, cell) in site.matrices.providers.iter().zip(&feature.cells) {
                for url in &cell.docs {
                    let offset = area.text[cell.offset..]
                        .find(url.as_str())
                        .map_or(cell.offset, |o| cell.offset + o);
                    citations.push(Citation {
                        url: url.clone(),
                        claim: format!("{}/{}", provider.id, feature.id),
                        verified: cell.verified,
                        cell: Diagnostic::warning(&area.source, String::new())
                            .at_offset(&area.text, cell.offset),
                        link: Diagnostic::error(&area.source, String::new())
                            .at_offset(&area.text, offset),
                    });
                }
            }
        }
    }
    citations
}
