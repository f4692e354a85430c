//! Pass 3: the claims of the feature matrices. A claim is evidence: it cites its provider's own
//! documentation, says the day someone checked it against that text, and an `unknown` says why.

use crate::diag::Diagnostic;
use crate::matrix::Support;
use crate::site::Site;

use super::{Finding, finding, kind};

/// Claims that are stale, unsourced, sourced elsewhere than their provider's documentation,
/// never verified, or unknown without a reason. Stale and unsourced claims are one finding per
/// matrix file when there are several (a site whose claims date from one review would
/// otherwise print a page of them); the others are one per cell.
pub(super) fn check_matrices(site: &Site) -> Vec<Finding> {
    let limit = site.config.stale_before();
    let today = site.config.today;
    let mut findings = Vec::new();
    for area in &site.matrices.areas {
        let at = |offset: usize, message: String| {
            Diagnostic::warning(&area.source, message).at_offset(&area.text, offset)
        };
        let mut stale: Vec<(String, usize, jiff::civil::Date)> = Vec::new();
        let mut unsourced: Vec<(String, usize)> = Vec::new();
        for feature in &area.features {
            for (provider, cell) in site.matrices.providers.iter().zip(&feature.cells) {
                let claim = format!("{}/{}", provider.id, feature.id);
                let mut warn = |kind: &'static str, message: String| {
                    findings.push(finding(kind, at(cell.offset, message)));
                };
                match cell.verified {
                    Some(verified) if verified < limit => {
                        stale.push((claim.clone(), cell.offset, verified));
                    }
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
                    unsourced.push((claim, cell.offset));
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
        let days = site.config.stale_after_days;
        match stale.as_slice() {
            [] => {}
            [(claim, offset, verified)] => findings.push(finding(
                kind::STALE_CLAIM,
                at(
                    *offset,
                    format!("stale claim {claim}: verified {verified}, more than {days} days ago"),
                ),
            )),
            [(_, offset, _), ..] => {
                let oldest = stale.iter().map(|(_, _, v)| *v).min().unwrap_or(limit);
                let names: Vec<&str> = stale.iter().map(|(c, _, _)| c.as_str()).collect();
                let message = format!(
                    "{} stale claims, verified more than {days} days ago (oldest {oldest}): {}",
                    stale.len(),
                    names.join(", ")
                );
                findings.push(finding(kind::STALE_CLAIM, at(*offset, message)));
            }
        }
        match unsourced.as_slice() {
            [] => {}
            [(claim, offset)] => findings.push(finding(
                kind::MISSING_SOURCE,
                at(
                    *offset,
                    format!("claim {claim} has no source: add `docs:` with a link"),
                ),
            )),
            [(_, offset), ..] => {
                let names: Vec<&str> = unsourced.iter().map(|(c, _)| c.as_str()).collect();
                let message = format!(
                    "{} claims have no source (add `docs:` with a link): {}",
                    unsourced.len(),
                    names.join(", ")
                );
                findings.push(finding(kind::MISSING_SOURCE, at(*offset, message)));
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
