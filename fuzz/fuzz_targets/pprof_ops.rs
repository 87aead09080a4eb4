//! Whatever `Profile::decode` accepts goes through the pprof operations and reports: merge,
//! diff, filters, every granularity, label nodes and every report. No panic, hang or
//! runaway allocation on any profile, however odd its tables.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::labels::add_label_nodes;
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::{DecodeOptions, Profile};
use profile_ops::query::Query;
use profile_ops::report::{
    flame::flamegraph, folded::folded, speedscope::speedscope, top::Top, traces::traces, tree::tree,
};
use profile_ops::transform::{DiffMode, diff};

fuzz_target!(|data: &[u8]| {
    let mut opts = DecodeOptions::default();
    opts.max_inflated_size = 16 << 20;
    let Ok(p) = Profile::decode_with(data, &opts) else {
        return;
    };
    let _ = merge(&[p.clone(), p.clone()], &MergeOptions::default());
    let _ = diff(&p, &p, DiffMode::Marked, true);
    let _ = diff(&p, &p, DiffMode::Subtract, false);
    let _ = add_label_nodes(&p, &["k"], &["k"], "");
    let granularities = [
        Granularity::Functions,
        Granularity::FileFunctions,
        Granularity::Files,
        Granularity::Lines,
        Granularity::Addresses,
    ];
    for (i, granularity) in granularities.into_iter().enumerate() {
        let mut q = Query {
            granularity,
            noinlines: i % 2 == 1,
            drop_frames: true,
            ..Query::default()
        };
        if i == 2 {
            q.filters = Filters {
                focus: Some("a|main".into()),
                ignore: Some("z".into()),
                tagfocus: Some("1kb:".into()),
                ..Filters::default()
            };
        }
        let Ok(prep) = q.prepare(&p) else { continue };
        let _ = Top::new(&prep, 10).to_text();
        let _ = traces(&prep);
        let _ = tree(&prep, 10, None);
        let _ = folded(&prep);
        let _ = flamegraph(&prep);
        let _ = speedscope(&prep, "fuzz");
    }
});
