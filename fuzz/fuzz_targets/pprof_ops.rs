//! Whatever `Profile::decode` accepts goes through the pprof operations and reports: merge
//! (identical and common sample types), diff in both modes against a second profile
//! derived from the input (scaled, so that values differ), normalize, compact, the
//! summary, filters, every granularity, label nodes and every report (top, traces, tree,
//! folded, flame graph, differential flame graph, flame graph SVG, speedscope), also on the
//! diffed profile. No panic, hang or runaway allocation on any profile, however odd its
//! tables.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::labels::add_label_nodes;
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::{DecodeOptions, Profile};
use profile_ops::query::{Prepared, Query};
use profile_ops::report::{
    flame::{flamegraph, flamegraph_diff, flamegraph_svg},
    folded::{self, folded},
    speedscope::speedscope,
    top::Top,
    traces::traces,
    tree::tree,
};
use profile_ops::summary::ProfileSummary;
use profile_ops::transform::{DiffMode, compact, diff, normalize, scale};

/// The text reports on one prepared profile.
fn reports(prep: &Prepared<'_>) {
    let _ = Top::new(prep, 10).to_text();
    let _ = traces(prep);
    let _ = tree(prep, 10, None);
    let _ = folded::to_text(&folded(prep));
    let _ = flamegraph(prep);
    let _ = speedscope(prep, "fuzz");
}

fuzz_target!(|data: &[u8]| {
    let mut opts = DecodeOptions::default();
    opts.max_inflated_size = 16 << 20;
    let Ok(p) = Profile::decode_with(data, &opts) else {
        return;
    };
    let _ = ProfileSummary::of(&p);
    // A second profile with other values: the base of the diffs and a merge partner.
    let base = scale(&p, 0.5).unwrap_or_else(|_| p.clone());
    let _ = compact(&p);
    let _ = normalize(&p, &base);
    let _ = merge(&[p.clone(), base.clone()], &MergeOptions::default());
    let common = MergeOptions::default().common_sample_types(true);
    let _ = merge(&[base.clone(), p.clone()], &common);
    if let Ok(d) = diff(&base, &p, DiffMode::Marked, true)
        && let Ok(prep) = Query::default().prepare(&d)
    {
        reports(&prep);
    }
    if let Ok(d) = diff(&base, &p, DiffMode::Subtract, false)
        && let Ok(prep) = Query::default().prepare(&d)
    {
        let _ = Top::new(&prep, 10).to_text();
    }
    let _ = add_label_nodes(&p, &["k"], &["k"], "");
    let granularities = [
        Granularity::Functions,
        Granularity::FileFunctions,
        Granularity::Files,
        Granularity::Lines,
        Granularity::Addresses,
    ];
    for (i, granularity) in granularities.into_iter().enumerate() {
        let mut q = Query::default()
            .granularity(granularity)
            .noinlines(i % 2 == 1)
            .drop_frames(true);
        if i == 2 {
            q.filters = Filters::default()
                .focus("a|main")
                .ignore("z")
                .tagfocus("1kb:");
        }
        let Ok(prep) = q.prepare(&p) else { continue };
        reports(&prep);
        if i == 0 {
            let _ = tree(&prep, 10, Some("main"));
            let _ = flamegraph_svg(&prep, None, "fuzz");
            if let Ok(bprep) = q.prepare(&base) {
                let _ = flamegraph_diff(&bprep, &prep);
                let _ = flamegraph_svg(&prep, Some(&bprep), "fuzz");
            }
        }
    }
});
