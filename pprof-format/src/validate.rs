//! google/pprof's `CheckValid`, on the columnar tables.

use foldhash::HashSet;

use crate::error::{Error, Result};
use crate::profile::Profile;

/// Checks what google/pprof's `Profile.CheckValid` checks, adapted to dense indexes: one
/// value per sample type, sample types present when there are samples, non-zero unique
/// ids, every location/function/mapping/string reference in range, `string_table[0] == ""`.
///
/// Decoding already enforces all of this; the check is for built and transformed profiles.
///
/// ```
/// use pprof_format::{ProfileBuilder, check_valid};
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// b.sample(&[], &[1], &[]);
/// check_valid(&b.build().unwrap()).unwrap();
/// ```
pub fn check_valid(p: &Profile) -> Result<()> {
    let t = &*p.t;
    let invalid = |m: String| Err(Error::Invalid(m));
    let k = t.sample_types.len();
    let n = t.samples.len();
    if k == 0 && n != 0 {
        return invalid("missing sample type information".into());
    }
    if t.samples.values.len() != n * k || t.samples.label_offsets.len() != n + 1 {
        return invalid(format!(
            "mismatch: {} values for {n} samples of {k} types",
            t.samples.values.len()
        ));
    }
    if t.strings.is_empty() || !p.bytes_of(0).is_empty() {
        return invalid("string_table[0] must be ''".into());
    }
    let nloc = t.locations.len() as u32;
    if let Some(l) = t.samples.locations.iter().find(|&l| l >= nloc) {
        return invalid(format!("sample has nil location (index {l})"));
    }
    unique_ids(t.mappings.iter().map(|m| m.id), "mapping")?;
    unique_ids(t.functions.iter().map(|f| f.id), "function")?;
    unique_ids(t.locations.iter().map(|l| l.id), "location")?;
    let (nmap, nfun, nlines) = (
        t.mappings.len() as u32,
        t.functions.len() as u32,
        t.lines.len() as u32,
    );
    for l in &t.locations {
        if l.mapping.is_some_and(|m| m >= nmap) {
            return invalid(format!("location id: {} has an inconsistent mapping", l.id));
        }
        if l.lines.start > l.lines.end || l.lines.end > nlines {
            return invalid(format!(
                "location id: {} has an inconsistent line range",
                l.id
            ));
        }
    }
    if let Some(l) = t.lines.iter().find(|l| l.function >= nfun) {
        return invalid(format!("a line has nil function (index {})", l.function));
    }
    let ns = t.strings.len() as u64;
    let strings_ok = t
        .sample_types
        .iter()
        .chain(t.period_type.iter())
        .flat_map(|v| [v.ty, v.unit])
        .chain(t.mappings.iter().flat_map(|m| [m.filename, m.build_id]))
        .chain(
            t.functions
                .iter()
                .flat_map(|f| [f.name, f.system_name, f.filename]),
        )
        .chain(
            t.samples
                .labels
                .iter()
                .flat_map(|l| [l.key, l.str, l.num_unit]),
        )
        .chain(t.comments.iter().copied())
        .chain([
            t.drop_frames,
            t.keep_frames,
            t.default_sample_type,
            t.doc_url,
        ])
        .all(|s| u64::from(s) < ns);
    if !strings_ok {
        return invalid("string index out of range".into());
    }
    Ok(())
}

fn unique_ids(ids: impl Iterator<Item = u64> + Clone, what: &str) -> Result<()> {
    // Writers (this crate's builder included) number ids 1..=n: nothing to hash then.
    if ids.clone().zip(1..).all(|(id, i)| id == i) {
        return Ok(());
    }
    let mut seen = HashSet::default();
    for id in ids {
        if id == 0 {
            return Err(Error::Invalid(format!("found {what} with reserved id=0")));
        }
        if !seen.insert(id) {
            return Err(Error::Invalid(format!(
                "multiple {what}s with same id: {id}"
            )));
        }
    }
    Ok(())
}
