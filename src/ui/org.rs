//! Walking the org hierarchy as the UI needs it.

use std::collections::HashMap;

use crate::store::queries::OrgUnit;

/// The unit and its ancestors, from the root down to the unit.
pub fn ancestors<'a>(units: &'a [OrgUnit], unit_id: &str) -> Vec<&'a OrgUnit> {
    let by_id: HashMap<&str, &OrgUnit> = units.iter().map(|u| (u.unit_id.as_str(), u)).collect();
    let mut path = Vec::new();
    let mut cur = by_id.get(unit_id).copied();
    while let Some(u) = cur {
        if path.len() > 16 {
            break; // a cycle in a user's org file
        }
        path.push(u);
        cur = u.parent_id.as_deref().and_then(|p| by_id.get(p).copied());
    }
    path.reverse();
    path
}

/// Children of each unit, in the order given.
pub fn children(units: &[OrgUnit]) -> HashMap<Option<&str>, Vec<&OrgUnit>> {
    let ids: std::collections::HashSet<&str> = units.iter().map(|u| u.unit_id.as_str()).collect();
    let mut map: HashMap<Option<&str>, Vec<&OrgUnit>> = HashMap::new();
    for u in units {
        // A parent that is not in the file makes the unit a root.
        let parent = u.parent_id.as_deref().filter(|p| ids.contains(p));
        map.entry(parent).or_default().push(u);
    }
    map
}

pub use crate::store::queries::subtree;

/// Every unit with its depth, parents before their children (depth-first).
pub fn depth_first(units: &[OrgUnit]) -> Vec<(&OrgUnit, usize)> {
    let kids = children(units);
    let mut out = Vec::with_capacity(units.len());
    let mut stack: Vec<(&OrgUnit, usize)> = kids
        .get(&None)
        .map(|r| r.iter().rev().map(|u| (*u, 0)).collect())
        .unwrap_or_default();
    while let Some((u, d)) = stack.pop() {
        out.push((u, d));
        if d > 16 {
            continue;
        }
        if let Some(k) = kids.get(&Some(u.unit_id.as_str())) {
            stack.extend(k.iter().rev().map(|c| (*c, d + 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(id: &str, parent: Option<&str>) -> OrgUnit {
        OrgUnit {
            unit_id: id.into(),
            parent_id: parent.map(Into::into),
            level: String::new(),
            name_zh: id.into(),
            name_en: id.into(),
            customers: 0,
        }
    }

    #[test]
    fn paths_and_depth_first_order() {
        let units = vec![
            u("P", None),
            u("C1", Some("P")),
            u("C2", Some("P")),
            u("K1", Some("C1")),
        ];
        let path: Vec<_> = ancestors(&units, "K1")
            .iter()
            .map(|u| u.unit_id.as_str())
            .collect();
        assert_eq!(path, ["P", "C1", "K1"]);
        let order: Vec<_> = depth_first(&units)
            .iter()
            .map(|(u, d)| (u.unit_id.as_str(), *d))
            .collect();
        assert_eq!(order, [("P", 0), ("C1", 1), ("K1", 2), ("C2", 1)]);
    }
}
