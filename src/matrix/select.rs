//! Row and column selections: which features and providers one table shows.

use crate::diag::did_you_mean;

use super::{Feature, Matrices, Matrix};

/// Which rows and columns a table shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Only these features, in this order.
    pub features: Option<Vec<String>>,
    /// Only rows where the shown providers differ.
    pub differences: bool,
    /// Only what this provider offers itself and no other shown provider does.
    pub unique: Option<String>,
    /// These providers, in this order (default: all, in providers.yaml order).
    pub providers: Option<Vec<String>>,
}

/// A selection applied: the rows and columns of one table.
#[derive(Debug, Clone)]
pub struct View<'m> {
    pub matrix: &'m Matrix,
    /// Indexes into `Matrices::providers` (and each feature's `cells`).
    pub columns: Vec<usize>,
    pub rows: Vec<&'m Feature>,
}

impl Matrices {
    pub fn area(&self, id: &str) -> Option<&Matrix> {
        self.areas.iter().find(|m| m.id == id)
    }

    /// The rows and columns `selection` picks from matrix `id`, or what is wrong with it.
    pub fn select(&self, id: &str, selection: &Selection) -> Result<View<'_>, String> {
        let matrix = self.area(id).ok_or_else(|| {
            let near = did_you_mean(id, self.areas.iter().map(|m| m.id.as_str()));
            let mut message = format!("unknown matrix `{id}`");
            match near {
                Some(near) => message.push_str(&format!(": did you mean `{near}`?")),
                None => message.push_str(&format!(
                    " (matrices: {})",
                    self.areas
                        .iter()
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            message
        })?;
        let provider_index = |pid: &str| {
            self.providers
                .iter()
                .position(|p| p.id == pid)
                .ok_or_else(|| {
                    let near = did_you_mean(pid, self.providers.iter().map(|p| p.id.as_str()));
                    format!(
                        "unknown provider `{pid}`{}",
                        near.map(|n| format!(": did you mean `{n}`?"))
                            .unwrap_or_default()
                    )
                })
        };
        let columns: Vec<usize> = match &selection.providers {
            Some(ids) => ids
                .iter()
                .map(|p| provider_index(p))
                .collect::<Result<_, _>>()?,
            None => (0..self.providers.len()).collect(),
        };
        let mut rows: Vec<&Feature> = match &selection.features {
            Some(ids) => ids
                .iter()
                .map(|fid| {
                    matrix
                        .features
                        .iter()
                        .find(|f| &f.id == fid)
                        .ok_or_else(|| {
                            let near =
                                did_you_mean(fid, matrix.features.iter().map(|f| f.id.as_str()));
                            format!(
                                "unknown feature `{fid}` in matrix `{id}`{}",
                                near.map(|n| format!(": did you mean `{n}`?"))
                                    .unwrap_or_default()
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
            None => matrix.features.iter().collect(),
        };
        if selection.differences {
            rows.retain(|f| {
                let mut levels = columns.iter().map(|&c| f.cells[c].support);
                let first = levels.next();
                levels.any(|l| Some(l) != first)
            });
        }
        if let Some(unique) = &selection.unique {
            let only = provider_index(unique)?;
            if !columns.contains(&only) {
                return Err(format!(
                    "`unique = \"{unique}\"` names a provider that is not shown"
                ));
            }
            rows.retain(|f| {
                f.cells[only].support.is_offered()
                    && columns
                        .iter()
                        .filter(|&&c| c != only)
                        .all(|&c| !f.cells[c].support.is_offered())
            });
        }
        Ok(View {
            matrix,
            columns,
            rows,
        })
    }
}
